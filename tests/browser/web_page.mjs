// The web page in a real browser (Debian's chromium, headless, driven by
// playwright-core), against a running todod: signs in from a #token= link,
// opens a list, adds entries, ticks one done, edits one, shows the API's
// errors, deletes one and shows tags, undoes the delete, drops the list, signs
// out and back in. After each step it
// checks what the page shows and what the API holds, read with the same
// token from here.
//
// Usage: TODO_TOKEN=SECRET node web_page.mjs http://127.0.0.1:PORT SCREENSHOT.png
// Exits 0 when every check passed; otherwise prints the first that failed.
import assert from 'node:assert/strict';
import {chromium} from 'playwright-core';

const [baseUrl, screenshotPath] = process.argv.slice(2);
const token = process.env.TODO_TOKEN;
if (!baseUrl || !screenshotPath || !token) {
  console.error('usage: TODO_TOKEN=SECRET node web_page.mjs BASE_URL SCREENSHOT.png');
  process.exit(2);
}

// Each wait of the page's is bounded by this; the whole run by kRunLimitMs,
// so that a hung browser fails the test instead of stalling it.
const kStepTimeoutMs = 5000;
const kRunLimitMs = 60000;
const watchdog = setTimeout(() => {
  console.error(`web_page.mjs: still running after ${kRunLimitMs} ms`);
  process.exit(1);
}, kRunLimitMs);

// A name that needs percent-encoding in a path: a space, a slash, a quote.
const kList = "Mia's list/december";

async function apiJson(path) {
  const response = await fetch(baseUrl + path, {
    headers: {Authorization: 'Bearer ' + token},
    signal: AbortSignal.timeout(kStepTimeoutMs),
  });
  assert.equal(response.status, 200, `GET ${path}`);
  return response.json();
}

async function apiEntries() {
  const entries = await apiJson('/api/v1/lists/' + encodeURIComponent(kList) + '/entries');
  return entries.map(({date, title, done}) => ({date, title, done}));
}

// The page's entries as a person reads them: each date, then its titles,
// with [x] for a ticked one.
async function shownEntries(page) {
  return page.locator('#entries').evaluate((entries) =>
    [...entries.querySelectorAll('.day')].map((day) => ({
      date: day.querySelector('h3').textContent,
      titles: [...day.querySelectorAll('li.entry')].map(
          (entry) => (entry.querySelector('input[type=checkbox]').checked ? '[x] ' : '[ ] ') +
              entry.querySelector('.title').textContent),
    })));
}

// Waits until the page shows expected (a deep-equal), bounded.
async function expectShown(page, expected) {
  const deadline = Date.now() + kStepTimeoutMs;
  let shown;
  while (Date.now() < deadline) {
    shown = await shownEntries(page);
    try {
      assert.deepEqual(shown, expected);
      return;
    } catch {
      await page.waitForTimeout(50);
    }
  }
  assert.deepEqual(shown, expected, 'the entries the page shows');
}

function step(name) {
  console.log('step: ' + name);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  // As root (CI, containers) chromium refuses to start without it.
  args: ['--no-sandbox'],
  timeout: 20000,
});
const problems = [];
try {
  // A phone-sized window: the page must work there.
  const context = await browser.newContext({viewport: {width: 390, height: 844}});
  const page = await context.newPage();
  page.setDefaultTimeout(kStepTimeoutMs);
  page.setDefaultNavigationTimeout(kStepTimeoutMs);
  // A script error, or anything the Content-Security-Policy blocked, fails
  // the run even when every step went through.
  page.on('pageerror', (error) => problems.push('script error: ' + error.message));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) problems.push(message.text());
  });
  const alert = page.locator('#error[role=alert]');

  step('sign in from the #token= link');
  await page.goto(baseUrl + '/#token=' + encodeURIComponent(token));
  await page.getByRole('heading', {name: 'Lists', exact: true}).waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the token is left in the address bar');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('todo.token')), token);
  assert.ok(await page.getByLabel('Access token').isHidden());

  step('open a new list by name');
  await page.getByLabel('Open or start a list').fill(kList);
  await page.getByRole('button', {name: 'Open'}).click();
  await page.getByRole('heading', {name: kList}).waitFor();
  const today = await page.evaluate(() => {
    const now = new Date();
    return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  });
  assert.equal(await page.getByLabel('Date', {exact: true}).inputValue(), today);

  step('add two entries, the second with Enter');
  await page.getByLabel('Date', {exact: true}).fill('2026-12-24');
  await page.getByLabel('Title', {exact: true}).fill('Buy a tree');
  await page.getByRole('button', {name: 'Add'}).click();
  await expectShown(page, [{date: '2026-12-24', titles: ['[ ] Buy a tree']}]);
  await page.getByLabel('Date', {exact: true}).fill('2026-12-23');
  await page.getByLabel('Title', {exact: true}).fill('Wrap presents');
  await page.getByLabel('Title', {exact: true}).press('Enter');
  await expectShown(page, [
    {date: '2026-12-23', titles: ['[ ] Wrap presents']},
    {date: '2026-12-24', titles: ['[ ] Buy a tree']},
  ]);
  assert.deepEqual(await apiEntries(), [
    {date: '2026-12-24', title: 'Buy a tree', done: false},
    {date: '2026-12-23', title: 'Wrap presents', done: false},
  ]);
  await page.getByRole('button', {name: kList}).waitFor();
  assert.ok((await apiJson('/api/v1/lists')).includes(kList));

  step('tick an entry done, and back');
  await page.getByRole('checkbox', {name: 'Buy a tree'}).check();
  await expectShown(page, [
    {date: '2026-12-23', titles: ['[ ] Wrap presents']},
    {date: '2026-12-24', titles: ['[x] Buy a tree']},
  ]);
  assert.equal((await apiEntries())[0].done, true);
  await page.getByRole('checkbox', {name: 'Wrap presents'}).check();
  await page.getByRole('checkbox', {name: 'Wrap presents'}).uncheck();
  await expectShown(page, [
    {date: '2026-12-23', titles: ['[ ] Wrap presents']},
    {date: '2026-12-24', titles: ['[x] Buy a tree']},
  ]);
  assert.equal((await apiEntries())[1].done, false);

  step("edit an entry's title and date");
  await page.getByRole('button', {name: 'Edit Buy a tree'}).click();
  await page.getByLabel('Title', {exact: true}).nth(1).fill('Buy a fir');
  await page.getByLabel('Date', {exact: true}).nth(1).fill('2026-12-20');
  await page.getByRole('button', {name: 'Save'}).click();
  await expectShown(page, [
    {date: '2026-12-20', titles: ['[x] Buy a fir']},
    {date: '2026-12-23', titles: ['[ ] Wrap presents']},
  ]);
  assert.deepEqual((await apiEntries())[0], {date: '2026-12-20', title: 'Buy a fir', done: true});

  step("show the API's error for a title over 4,096 bytes");
  const longTitle = 'x'.repeat(5000);
  const refused = await fetch(
      baseUrl + '/api/v1/lists/' + encodeURIComponent(kList) + '/entries', {
        method: 'POST',
        headers: {Authorization: 'Bearer ' + token, 'Content-Type': 'application/json'},
        body: JSON.stringify({date: '2026-12-25', title: longTitle}),
        signal: AbortSignal.timeout(kStepTimeoutMs),
      });
  assert.equal(refused.status, 400);
  const message = (await refused.json()).error.message;
  await page.getByLabel('Title', {exact: true}).fill(longTitle);
  await page.getByRole('button', {name: 'Add'}).click();
  await page.waitForFunction(
      (expected) => document.getElementById('error').textContent === expected, message,
      {timeout: kStepTimeoutMs});
  assert.equal((await apiEntries()).length, 2, 'the refused entry was stored');

  await page.screenshot({path: screenshotPath, fullPage: true, timeout: kStepTimeoutMs});
  console.log('screenshot: ' + screenshotPath);

  step('delete an entry; the page shows the tags the API gave the other');
  const tagged = await fetch(
      baseUrl + '/api/v1/lists/' + encodeURIComponent(kList) + '/entries/1', {
        method: 'PATCH',
        headers: {Authorization: 'Bearer ' + token, 'Content-Type': 'application/json'},
        body: JSON.stringify({tags: ['home', 'christmas']}),
        signal: AbortSignal.timeout(kStepTimeoutMs),
      });
  assert.equal(tagged.status, 200);
  await page.getByRole('button', {name: 'Delete Wrap presents'}).click();
  await expectShown(page, [{date: '2026-12-20', titles: ['[x] Buy a fir']}]);
  assert.equal(await alert.textContent(), '', 'the last action cleared the old error');
  assert.deepEqual(await apiEntries(), [{date: '2026-12-20', title: 'Buy a fir', done: true}]);
  assert.deepEqual(await page.locator('li.entry .tag').allTextContents(), ['+christmas', '+home']);

  step('undo the delete');
  await page.getByRole('button', {name: 'Undo the last change'}).click();
  await expectShown(page, [
    {date: '2026-12-20', titles: ['[x] Buy a fir']},
    {date: '2026-12-23', titles: ['[ ] Wrap presents']},
  ]);
  assert.equal((await apiEntries()).length, 2);

  step('drop the list, after a confirm()');
  let confirmed = '';
  page.once('dialog', (dialog) => {
    confirmed = dialog.message();
    dialog.accept();
  });
  await page.getByRole('button', {name: 'Drop this list'}).click();
  await page.getByRole('heading', {name: kList}).waitFor({state: 'hidden'});
  assert.ok(confirmed.includes(kList), 'the confirm() names the list');
  await page.getByRole('button', {name: kList}).waitFor({state: 'detached'});
  assert.deepEqual(await apiEntries(), []);
  assert.ok(!(await apiJson('/api/v1/lists')).includes(kList));

  step('sign out, then a wrong token is refused and asked for again');
  await page.getByRole('button', {name: 'Sign out'}).click();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('todo.token')), null);
  await page.getByLabel('Access token').fill('not-a-token');
  await page.getByLabel('Access token').press('Enter');
  await page.waitForFunction(
      () => document.getElementById('error').textContent.includes('not valid'), null,
      {timeout: kStepTimeoutMs});
  assert.ok(await page.getByLabel('Access token').isVisible());
  assert.ok(await page.getByRole('heading', {name: 'Lists', exact: true}).isHidden());

  step('sign in with the token typed in');
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByRole('heading', {name: 'Lists', exact: true}).waitFor();
  assert.equal(await alert.textContent(), '');

  assert.deepEqual(problems, [], 'the page logged no script error or CSP violation');
  console.log('web page: every step passed');
} finally {
  await browser.close();
  clearTimeout(watchdog);
}
