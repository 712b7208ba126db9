// Progressive enhancement only: every page works without this file (the CSP forbids inline scripts).
// Buttons with data-dialog="ID" open the native <dialog> with that id instead of following their link.
document.addEventListener('click', (event) => {
  const opener = event.target.closest('[data-dialog]');
  if (opener) {
    const dialog = document.getElementById(opener.getAttribute('data-dialog'));
    if (dialog && typeof dialog.showModal === 'function') {
      event.preventDefault();
      dialog.showModal();
      const focusable = dialog.querySelector('[autofocus], button, [href], input');
      if (focusable) focusable.focus();
    }
    return;
  }
  const closer = event.target.closest('[data-close-dialog]');
  if (closer) {
    event.preventDefault();
    closer.closest('dialog').close();
  }
});
