// sign-up-verify.mjs — the "system browser" for a new account on a service
// that verifies emails: headless Chromium, driven as a person would.
//
// From the app's sign-in page it creates the account MILK_TEST_EMAIL /
// MILK_TEST_PASSWORD, signs in before opening the mail (and must be
// stopped at "Verify your email"), then reads the mail from the SMTP
// server's Maildir (MILK_TEST_MAILDIR), opens its link, confirms, allows
// Milk Diary and ends on the app's loopback page. What it saw goes to
// MILK_TEST_OUTCOME as JSON.
//
// Copyright 2026 The Milk Diary authors
// SPDX-License-Identifier: GPL-3.0-or-later

import { chromium } from 'playwright-core';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const url = process.argv[2];
const email = process.env.MILK_TEST_EMAIL;
const password = process.env.MILK_TEST_PASSWORD;
const outcome = { ok: false };
// MILK_TEST_SCREENSHOTS: a folder for a picture of each page on the way.
const shots = process.env.MILK_TEST_SCREENSHOTS;
let shot = 0;
async function picture(page, name) {
  if (shots)
    await page.screenshot({ path: `${shots}/verify-${++shot}-${name}.png`, fullPage: true });
}

// The text part of the newest mail to `to`, decoded.
async function waitForMail(to, seconds) {
  const dir = join(process.env.MILK_TEST_MAILDIR, 'new');
  for (let i = 0; i < seconds * 10; i++) {
    let names = [];
    try { names = readdirSync(dir); } catch (e) { /* not made yet */ }
    for (const name of names) {
      const raw = readFileSync(join(dir, name), 'latin1');
      if (!new RegExp(`^To: ${to}$`, 'm').test(raw))
        continue;
      const part = raw.split(/Content-Type: text\/plain; charset=utf-8\r?\n/)[1];
      const body = part.split(/\r?\n\r?\n/)[1].split(/\r?\n--/)[0];
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${to} within ${seconds} s`);
}

const browser = await chromium.launch({
  executablePath: process.env.MILK_TEST_CHROMIUM || '/usr/bin/chromium',
  args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});

try {
  const page = await browser.newPage();
  await page.goto(url);
  const origin = new URL(page.url()).origin;

  // The sign-in page offers a new account.
  outcome.step = 'sign-up';
  await Promise.all([page.waitForURL(/\/signup/), page.click('a:has-text("Create an account")')]);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.fill('input[name="confirm"]', password);
  await Promise.all([page.waitForURL(/\/signup$/), page.click('button[type="submit"]')]);
  outcome.after_signup = await page.textContent('h2');
  await picture(page, 'check-your-email');

  // Signing in before opening the mail stops at "Verify your email".
  outcome.step = 'sign-in';
  await Promise.all([page.waitForURL(/\/signin/), page.click('a:has-text("Sign in")')]);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL(/\/oauth\/authorize/), page.click('button[type="submit"]')]);
  outcome.before_verifying = await page.textContent('h2');
  outcome.consent_offered_before = await page.locator('button[value="allow"]').count() > 0;
  await picture(page, 'verify-your-email');
  if (shots) {
    const back = page.url();
    await page.goto(`${origin}/account`);
    await picture(page, 'account-unconfirmed');
    await page.goto(back);
  }

  // The mail's link, then its button: on to the consent page.
  outcome.step = 'mail';
  const text = await waitForMail(email, 30);
  const link = text.match(/(https?:\/\/\S+)?\/account\/verify\?token=\S+/)[0];
  await page.goto(link.startsWith('/') ? origin + link : link);
  outcome.step = 'confirm';
  await picture(page, 'confirm');
  await Promise.all([page.waitForURL(/\/oauth\/authorize/), page.click('button[type="submit"]')]);
  outcome.step = 'consent';
  await page.click('button[value="allow"]');
  await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback/);
  outcome.heading = await page.textContent('h1');
  if (process.env.MILK_TEST_SCREENSHOT)
    await page.screenshot({ path: process.env.MILK_TEST_SCREENSHOT });
  outcome.ok = /Signed In/.test(outcome.heading);
} catch (e) {
  outcome.error = e.message;
  console.error(`sign-up-verify.mjs, at ${outcome.step}: ${e.message}`);
} finally {
  // Whole or not at all: the test waits for the file to appear.
  writeFileSync(process.env.MILK_TEST_OUTCOME + '.part', JSON.stringify(outcome));
  renameSync(process.env.MILK_TEST_OUTCOME + '.part', process.env.MILK_TEST_OUTCOME);
  await browser.close();
}
