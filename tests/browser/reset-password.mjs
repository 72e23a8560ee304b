// reset-password.mjs — "Forgot password?" as a person does it, in headless
// Chromium: the form, the mail (read from the SMTP server's Maildir), its
// link, a new password.
//
//   node reset-password.mjs SERVICE_URL EMAIL NEW_PASSWORD MAILDIR
//
// Prints one JSON object with the headings seen on the way.
//
// Copyright 2026 The Milk Diary authors
// SPDX-License-Identifier: GPL-3.0-or-later

import { chromium } from 'playwright-core';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [service, email, password, maildir] = process.argv.slice(2);
const result = { ok: false };

async function waitForLink(to, path, seconds) {
  const dir = join(maildir, 'new');
  for (let i = 0; i < seconds * 10; i++) {
    let names = [];
    try { names = readdirSync(dir); } catch (e) { /* not made yet */ }
    for (const name of names) {
      const raw = readFileSync(join(dir, name), 'latin1');
      if (!new RegExp(`^To: ${to}$`, 'm').test(raw))
        continue;
      const part = raw.split(/Content-Type: text\/plain; charset=utf-8\r?\n/)[1];
      const body = part.split(/\r?\n\r?\n/)[1].split(/\r?\n--/)[0];
      const text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
      const link = text.match(new RegExp(`(https?://\\S+)?${path.replace('?', '\\?')}\\S+`));
      if (link)
        return link[0];
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail with ${path} to ${to} within ${seconds} s`);
}

const browser = await chromium.launch({
  executablePath: process.env.MILK_TEST_CHROMIUM || '/usr/bin/chromium',
  args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});

try {
  const page = await browser.newPage();
  await page.goto(`${service}/signin`);
  await Promise.all([page.waitForURL(/\/password\/forgot/), page.click('a:has-text("Forgot password?")')]);
  await page.fill('input[name="email"]', email);
  await Promise.all([page.waitForURL(/\/password\/forgot$/), page.click('button[type="submit"]')]);
  result.after_asking = await page.textContent('h2');
  const link = await waitForLink(email, '/password/reset?token=', 30);
  await page.goto(link.startsWith('/') ? service + link : link);
  await page.fill('input[name="password"]', password);
  await page.fill('input[name="confirm"]', password);
  await Promise.all([page.waitForURL(/\/password\/reset$/), page.click('button[type="submit"]')]);
  result.after_reset = await page.textContent('h2');
  result.ok = true;
} catch (e) {
  result.error = e.message;
} finally {
  console.log(JSON.stringify(result));
  await browser.close();
}
