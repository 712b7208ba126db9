// The customer picker on estimate and invoice forms: turns the plain <select> (which works without
// JavaScript, see views/partials/customer-picker.ejs) into an ARIA 1.2 combobox that asks the server as
// you type (debounced), so it stays fast with tens of thousands of customers. The <select> stays the
// submitted field: choosing a customer sets its value.
(() => {
  const root = document.querySelector('[data-customer-picker]');
  if (!root || !window.fetch) return;
  const select = root.querySelector('select[name="customerId"]');
  const label = root.querySelector('label[for="f-customerId"]');
  if (!select || !label) return;

  for (const el of root.querySelectorAll('[data-picker-nojs]')) el.hidden = true;
  const input = document.createElement('input');
  input.type = 'text';
  input.id = 'f-customerPicker';
  input.autocomplete = 'off';
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', 'customer-listbox');
  input.placeholder = 'Type a name, company or email';
  const describedBy = select.getAttribute('aria-describedby');
  if (describedBy) input.setAttribute('aria-describedby', describedBy);
  if (select.getAttribute('aria-invalid')) input.setAttribute('aria-invalid', 'true');
  label.htmlFor = input.id;
  const list = document.createElement('ul');
  list.id = 'customer-listbox';
  list.className = 'picker-list';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Matches');
  list.hidden = true;
  const status = document.createElement('p');
  status.className = 'visually-hidden';
  status.setAttribute('aria-live', 'polite');
  const chosen = select.selectedOptions[0];
  if (chosen?.value) input.value = chosen.textContent.trim();
  select.hidden = true;
  select.tabIndex = -1;
  select.after(input, list, status);

  let results = [];
  let active = -1;
  let timer;
  let controller;

  const open = (flag) => {
    list.hidden = !flag;
    input.setAttribute('aria-expanded', String(flag));
    if (!flag) {
      active = -1;
      input.removeAttribute('aria-activedescendant');
    }
  };

  const highlight = (index) => {
    const items = list.children;
    if (!items.length) return;
    active = (index + items.length) % items.length;
    for (let i = 0; i < items.length; i++) items[i].setAttribute('aria-selected', String(i === active));
    input.setAttribute('aria-activedescendant', items[active].id);
    items[active].scrollIntoView({ block: 'nearest' });
  };

  const choose = (index) => {
    const customer = results[index];
    if (!customer) return;
    let option = Array.from(select.options).find((o) => o.value === String(customer.id));
    if (!option) {
      option = new Option(customer.displayName, String(customer.id));
      select.add(option);
    }
    select.value = String(customer.id);
    input.value = customer.displayName;
    open(false);
    status.textContent = `${customer.displayName} chosen`;
  };

  const render = (customers) => {
    results = customers;
    list.textContent = '';
    customers.forEach((c, i) => {
      const li = document.createElement('li');
      li.id = `customer-option-${c.id}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.textContent = c.displayName + (c.active ? '' : ' (inactive)');
      if (c.companyName && c.companyName !== c.displayName) {
        const small = document.createElement('small');
        small.textContent = c.companyName;
        li.append(small);
      }
      // mousedown, not click: it comes before the input's blur closes the list.
      li.addEventListener('mousedown', (event) => {
        event.preventDefault();
        choose(i);
      });
      list.append(li);
    });
    open(customers.length > 0 && document.activeElement === input);
    status.textContent = customers.length
      ? `${customers.length} customer${customers.length === 1 ? '' : 's'} found`
      : 'No customer matches';
  };

  const search = async () => {
    controller?.abort();
    controller = new AbortController();
    try {
      const res = await fetch(`/admin/customers/search?q=${encodeURIComponent(input.value.trim())}`, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        signal: controller.signal,
      });
      if (!res.ok) return;
      render((await res.json()).customers);
    } catch (err) {
      if (err.name !== 'AbortError') status.textContent = 'Search failed; try again.';
    }
  };

  input.addEventListener('input', () => {
    // Typed text is not a choice until an option is picked: the server refuses an empty customer.
    select.value = '';
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  input.addEventListener('focus', () => {
    if (!results.length) search();
  });
  input.addEventListener('blur', () => setTimeout(() => open(false), 100));
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (list.hidden) {
        open(results.length > 0);
        if (!results.length) search();
      }
      highlight(active + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter' && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape' && !list.hidden) {
      event.preventDefault();
      open(false);
    }
  });
})();
