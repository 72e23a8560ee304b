// sign-in.mjs — the "system browser" of the end-to-end tests: headless
// Chromium, driven as a person would, through the server's real pages.
//
// Registered as the desktop's http:// handler in the tests' own XDG
// folders, so the app opens it exactly as it opens a real browser. It signs
// in as MILK_TEST_EMAIL / MILK_TEST_PASSWORD, allows Milk Diary, and ends
// on the app's loopback page.
//
// Copyright 2026 The Milk Diary authors
// SPDX-License-Identifier: GPL-3.0-or-later

import { chromium } from 'playwright-core';

const url = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.MILK_TEST_CHROMIUM || '/usr/bin/chromium',
  args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});

try {
  const page = await browser.newPage();
  await page.goto(url);

  if (await page.locator('input[name="password"]').count() > 0) {
    await page.fill('input[name="email"]', process.env.MILK_TEST_EMAIL);
    await page.fill('input[name="password"]', process.env.MILK_TEST_PASSWORD);
    await Promise.all([page.waitForLoadState(), page.click('button[type="submit"]')]);
  }

  await page.click('button[value="allow"]');
  await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback/);
  const heading = await page.textContent('h1');
  if (process.env.MILK_TEST_SCREENSHOT)
    await page.screenshot({ path: process.env.MILK_TEST_SCREENSHOT });
  if (!/Signed In/.test(heading)) {
    console.error(`sign-in.mjs: ended on "${heading}"`);
    process.exitCode = 1;
  }
} catch (e) {
  console.error(`sign-in.mjs: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
