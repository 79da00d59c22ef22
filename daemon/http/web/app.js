// The web page's behaviour: signs in with an access token, then reads and
// changes lists through todod's JSON API (docs/http.md). The page keeps no
// data of its own: after every change it reads the list again, so what it
// shows is what todod holds.
//
// Text from todod goes into the page only through textContent and DOM
// properties, never as markup: a title is whatever a person typed.
'use strict';

const kTokenKey = 'todo.token';

const page = {
  error: document.getElementById('error'),
  signOut: document.getElementById('sign-out'),
  signIn: document.getElementById('sign-in'),
  signInForm: document.getElementById('sign-in-form'),
  token: document.getElementById('token'),
  lists: document.getElementById('lists'),
  listNames: document.getElementById('list-names'),
  noLists: document.getElementById('no-lists'),
  openListForm: document.getElementById('open-list-form'),
  listName: document.getElementById('list-name'),
  list: document.getElementById('list'),
  listHeading: document.getElementById('list-heading'),
  addEntryForm: document.getElementById('add-entry-form'),
  entryDate: document.getElementById('entry-date'),
  entryTitle: document.getElementById('entry-title'),
  entries: document.getElementById('entries'),
  noEntries: document.getElementById('no-entries'),
  dropList: document.getElementById('drop-list'),
  undo: document.getElementById('undo'),
};

// The list open, by its name as todod spells it; null when none is.
let openList = null;

// An answer of the API other than 2xx, with the message todod gave.
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function storedToken() {
  return sessionStorage.getItem(kTokenKey);
}

function listPath(name) {
  return '/api/v1/lists/' + encodeURIComponent(name);
}

// One call of the API: the parsed JSON body, or null for 204. Throws an
// ApiError for any other status.
async function api(method, path, body) {
  const headers = {Authorization: 'Bearer ' + storedToken()};
  const options = {method, headers, cache: 'no-store'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (failure) {
    throw new ApiError(0, 'todod did not answer: ' + failure.message);
  }
  if (response.status === 204) return null;
  let parsed = null;
  try {
    parsed = await response.json();
  } catch (failure) {
    // Leaves parsed null: the status says what went wrong.
  }
  if (!response.ok) {
    const message = parsed && parsed.error && parsed.error.message;
    throw new ApiError(response.status, message || 'todod answered ' + response.status);
  }
  return parsed;
}

function showError(message) {
  page.error.textContent = message;
}

// Runs one action of the person's, showing what went wrong in the alert.
// A 401 means the token is no good (revoked, mistyped): ask for it again.
async function act(action) {
  showError('');
  try {
    await action();
  } catch (failure) {
    if (!(failure instanceof ApiError)) throw failure;
    showError(failure.message);
    if (failure.status === 401) showSignIn();
  }
}

function showSignIn() {
  sessionStorage.removeItem(kTokenKey);
  openList = null;
  page.signIn.hidden = false;
  page.lists.hidden = true;
  page.list.hidden = true;
  page.signOut.hidden = true;
  // What the last token could see leaves the page with it.
  page.listNames.replaceChildren();
  page.entries.replaceChildren();
  page.listHeading.textContent = '';
  page.token.value = '';
  page.token.focus();
}

function showSignedIn() {
  page.signIn.hidden = true;
  page.lists.hidden = false;
  page.signOut.hidden = false;
}

function today() {
  const now = new Date();
  const two = (number) => String(number).padStart(2, '0');
  return now.getFullYear() + '-' + two(now.getMonth() + 1) + '-' + two(now.getDate());
}

async function loadListNames() {
  const names = await api('GET', '/api/v1/lists');
  showSignedIn();
  const items = names.map((name) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link';
    button.textContent = name;
    button.addEventListener('click', () => act(() => openListNamed(name)));
    const item = document.createElement('li');
    item.append(button);
    return item;
  });
  page.listNames.replaceChildren(...items);
  page.noLists.hidden = names.length > 0;
}

async function openListNamed(name) {
  const previous = openList;
  openList = name;
  try {
    await loadEntries();
  } catch (failure) {
    openList = previous;
    throw failure;
  }
  page.listHeading.textContent = name;
  page.list.hidden = false;
  page.entryDate.value = today();
  page.entryTitle.value = '';
}

// The open list's entries, a group per date, the dates in order.
async function loadEntries() {
  const entries = await api('GET', listPath(openList) + '/entries');
  const byDate = new Map();
  for (const entry of entries) {
    if (!byDate.has(entry.date)) byDate.set(entry.date, []);
    byDate.get(entry.date).push(entry);
  }
  const groups = [...byDate.keys()].sort().map((date) => {
    const group = document.createElement('section');
    group.className = 'day';
    const heading = document.createElement('h3');
    const time = document.createElement('time');
    time.dateTime = date;
    time.textContent = date;
    heading.append(time);
    const items = document.createElement('ul');
    const inDate = byDate.get(date).sort((a, b) => a.id - b.id);
    items.append(...inDate.map(entryItem));
    group.append(heading, items);
    return group;
  });
  page.entries.replaceChildren(...groups);
  page.noEntries.hidden = entries.length > 0;
  page.dropList.hidden = entries.length === 0;
}

function entryPath(entry) {
  return listPath(openList) + '/entries/' + entry.id;
}

function labelledButton(text, label, onClick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = text;
  button.setAttribute('aria-label', label);
  button.addEventListener('click', onClick);
  return button;
}

function entryItem(entry) {
  const item = document.createElement('li');
  item.className = 'entry';
  item.dataset.id = entry.id;

  const done = document.createElement('input');
  done.type = 'checkbox';
  done.id = 'done-' + entry.id;
  done.checked = entry.done;
  done.addEventListener('change', () =>
    act(async () => {
      await api('PATCH', entryPath(entry), {done: done.checked});
      await loadEntries();
    }).finally(() => {
      done.checked = entry.done;
    }));
  const title = document.createElement('label');
  title.htmlFor = done.id;
  title.className = entry.done ? 'title done' : 'title';
  title.textContent = entry.title;
  const tags = document.createElement('span');
  tags.className = 'tags';
  tags.append(...(entry.tags || []).map((tag) => {
    const chip = document.createElement('span');
    chip.className = 'tag';
    chip.textContent = '+' + tag;
    return chip;
  }));

  const edit = labelledButton('Edit', 'Edit ' + entry.title, () => {
    item.replaceWith(editForm(entry));
  });
  const remove = labelledButton('Delete', 'Delete ' + entry.title, () =>
    act(async () => {
      await api('DELETE', entryPath(entry));
      await loadEntries();
      await loadListNames();
    }));
  item.append(done, title, tags, edit, remove);
  return item;
}

// The form that edits an entry's title and date in its place in the list.
function editForm(entry) {
  const form = document.createElement('form');
  form.className = 'entry editing';
  const field = (labelText, type, value) => {
    const input = document.createElement('input');
    input.id = 'edit-' + labelText.toLowerCase() + '-' + entry.id;
    input.type = type;
    input.value = value;
    input.required = true;
    const label = document.createElement('label');
    label.htmlFor = input.id;
    label.textContent = labelText;
    form.append(label, input);
    return input;
  };
  const title = field('Title', 'text', entry.title);
  const date = field('Date', 'date', entry.date);
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = 'Save';
  const cancel = labelledButton('Cancel', 'Cancel editing ' + entry.title, () =>
    act(loadEntries));
  form.append(save, cancel);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(async () => {
      const change = {};
      if (title.value !== entry.title) change.title = title.value;
      if (date.value !== entry.date) change.date = date.value;
      if (Object.keys(change).length > 0) await api('PATCH', entryPath(entry), change);
      await loadEntries();
    });
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') act(loadEntries);
  });
  queueMicrotask(() => title.focus());
  return form;
}

page.signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(kTokenKey, page.token.value.trim());
  page.token.value = '';
  act(loadListNames);
});

page.signOut.addEventListener('click', () => {
  showError('');
  showSignIn();
});

page.openListForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = page.listName.value;
  act(async () => {
    await openListNamed(name);
    page.listName.value = '';
  });
});

page.addEntryForm.addEventListener('submit', (event) => {
  event.preventDefault();
  act(async () => {
    await api('POST', listPath(openList) + '/entries', {
      date: page.entryDate.value,
      title: page.entryTitle.value,
    });
    page.entryTitle.value = '';
    await loadEntries();
    await loadListNames();
  });
});

// Reverts the list's last change, as todo undo does; todod says when
// nothing is left to undo.
page.undo.addEventListener('click', () => {
  act(async () => {
    await api('POST', listPath(openList) + '/undo');
    await loadEntries();
    await loadListNames();
  });
});

page.dropList.addEventListener('click', () => {
  if (!confirm('Drop the list "' + openList + '" and every entry in it?')) return;
  act(async () => {
    await api('DELETE', listPath(openList));
    openList = null;
    page.list.hidden = true;
    await loadListNames();
  });
});

// A link made by scripts/run.sh carries the token in the fragment, which
// never reaches a server; it is taken out of the address bar (and so out of
// the history) at once, and kept only for this tab's session.
function start() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromLink = fragment.get('token');
  if (fromLink) {
    sessionStorage.setItem(kTokenKey, fromLink);
    history.replaceState(null, '', location.pathname + location.search);
  }
  if (storedToken()) {
    act(loadListNames);
  } else {
    showSignIn();
  }
}

start();
