// The line editor with JavaScript (views/documents/lines.ejs): "Add line" adds a row in place, "Remove"
// drops a row at once, and each line's amount and the total follow what is typed. Without this file the
// same form works through the server ("Add line" re-renders, Remove applies when the form is sent), and
// the server always recomputes amounts and totals when it saves: what is shown here is a preview.
(() => {
  // Reads "1,250.00", "$1,250.00", "1 250,00" or "1.250,00" (per the company's locale) as an integer
  // scaled by 10^decimals, or null when it is not a number yet.
  function parseScaled(text, decimals, decimal, group) {
    let s = text.replace(/^[\s\p{Sc}\p{L}]+|[\s\p{Sc}\p{L}]+$/gu, '');
    if (!s || s.startsWith('-')) return null;
    const spaceGroup = /\s/.test(group) || group === '\u202f';
    const pieces = s.split(decimal);
    if (pieces.length > 2) return null;
    const whole = spaceGroup ? pieces[0].replace(/[\s\u00a0\u202f]/g, '') : pieces[0].split(group).join('');
    const fraction = pieces[1] || '';
    if (!/^\d*$/.test(whole) || !/^\d*$/.test(fraction) || (!whole && !fraction)) return null;
    if (fraction.replace(/0+$/, '').length > decimals) return null;
    s = whole + fraction.padEnd(decimals, '0').slice(0, decimals);
    const value = Number(s);
    return Number.isSafeInteger(value) ? value : null;
  }

  function setUp(editor) {
    const locale = editor.dataset.locale;
    const decimal = editor.dataset.decimal;
    const group = editor.dataset.group;
    const maxLines = Number(editor.dataset.maxLines) || 100;
    const money = new Intl.NumberFormat(locale, { style: 'currency', currency: editor.dataset.currency });
    const body = editor.querySelector('tbody');
    const totalOut = editor.querySelector('[data-total]');
    const addButton = editor.querySelector('[data-add-line]');

    const rows = () => Array.from(body.querySelectorAll('[data-line]'));

    function recalc() {
      let total = 0;
      for (const row of rows()) {
        const q = parseScaled(row.querySelector('[data-field="quantity"]').value, 3, decimal, group);
        const p = parseScaled(row.querySelector('[data-field="unitPrice"]').value, 2, decimal, group);
        const cell = row.querySelector('[data-amount]');
        if (q === null || p === null) {
          cell.textContent = '—';
          continue;
        }
        const cents = Math.round((q * p) / 1000); // non-negative: Math.round is half away from zero here
        total += cents;
        cell.textContent = money.format(cents / 100);
      }
      totalOut.textContent = money.format(total / 100);
    }

    // Keeps names, ids and labels in step with the row's position (lines[0], lines[1], …).
    function renumber() {
      rows().forEach((row, i) => {
        for (const el of row.querySelectorAll('[name], [id], [for], [aria-describedby]')) {
          for (const attr of ['name', 'id', 'for', 'aria-describedby']) {
            const value = el.getAttribute(attr);
            if (value)
              el.setAttribute(
                attr,
                value.replace(/^lines\[\d+\]/, `lines[${i}]`).replace(/f-lines-\d+-/g, `f-lines-${i}-`),
              );
          }
        }
        for (const label of row.querySelectorAll('label, .visually-hidden')) {
          for (const node of label.childNodes) {
            if (node.nodeType === 3) node.textContent = node.textContent.replace(/line \d+/, `line ${i + 1}`);
          }
        }
      });
      if (addButton) addButton.disabled = rows().length >= maxLines;
    }

    function clearRow(row) {
      for (const input of row.querySelectorAll('input[type="text"]')) {
        input.value = '';
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
      for (const error of row.querySelectorAll('.error')) error.remove();
      for (const cell of row.querySelectorAll('.has-error')) cell.classList.remove('has-error');
      const remove = row.querySelector('[data-remove]');
      if (remove) remove.checked = false;
      // A new line starts from the defaults: the card's item, not taxable, the default tax code.
      for (const select of row.querySelectorAll('select')) select.selectedIndex = 0;
    }

    if (addButton) {
      addButton.addEventListener('click', (event) => {
        event.preventDefault();
        const all = rows();
        if (all.length >= maxLines) return;
        const row = all[all.length - 1].cloneNode(true);
        clearRow(row);
        body.appendChild(row);
        renumber();
        recalc();
        row.querySelector('[data-field="description"]').focus();
      });
    }

    body.addEventListener('change', (event) => {
      const box = event.target.closest('[data-remove]');
      if (!box?.checked) return;
      const row = box.closest('[data-line]');
      const all = rows();
      const next = all[all.indexOf(row) + 1];
      if (all.length === 1) clearRow(row);
      else row.remove();
      renumber();
      recalc();
      const focusTarget = (next || rows()[rows().length - 1]).querySelector('[data-field="description"]');
      if (focusTarget) focusTarget.focus();
    });

    body.addEventListener('input', recalc);
    recalc();
  }

  for (const editor of document.querySelectorAll('[data-line-editor]')) setUp(editor);
})();
