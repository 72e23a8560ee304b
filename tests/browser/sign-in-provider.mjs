// sign-in-provider.mjs — the "system browser" that signs in to the service
// through a provider: headless Chromium, driven as a person would.
//
// On the service's sign-in page it clicks "Sign in with MILK_TEST_PROVIDER",
// signs in at the provider as MILK_TEST_EMAIL (its sign-in page takes any
// password), agrees to what the provider asks, allows Milk Diary and ends
// on the app's loopback page. What it saw goes to MILK_TEST_OUTCOME.
//
// Copyright 2026 The Milk Diary authors
// SPDX-License-Identifier: GPL-3.0-or-later

import { chromium } from 'playwright-core';
import { renameSync, writeFileSync } from 'node:fs';

const url = process.argv[2];
const outcome = { ok: false, provider_pages: [] };
// MILK_TEST_SCREENSHOTS: a folder for a picture of each page on the way.
const shots = process.env.MILK_TEST_SCREENSHOTS;
let shot = 0;
async function picture(page, name) {
  if (shots)
    await page.screenshot({ path: `${shots}/${process.env.MILK_TEST_PROVIDER.replace(/\W/g, '')}-${++shot}-${name}.png`,
                            fullPage: true });
}

const browser = await chromium.launch({
  executablePath: process.env.MILK_TEST_CHROMIUM || '/usr/bin/chromium',
  args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});

try {
  const page = await browser.newPage();
  await page.goto(url);
  const service = new URL(page.url()).origin;

  outcome.step = 'button';
  await picture(page, 'sign-in');
  await page.click(`a:has-text("Sign in with ${process.env.MILK_TEST_PROVIDER}")`);
  await page.waitForURL((u) => u.origin !== service);

  // At the provider: its sign-in, then whatever it asks to agree to.
  for (let i = 0; i < 5 && new URL(page.url()).origin !== service; i++) {
    outcome.step = `provider page ${i}`;
    outcome.provider_pages.push(await page.title());
    await picture(page, 'provider');
    if (await page.locator('input[name="login"]').count() > 0) {
      await page.fill('input[name="login"]', process.env.MILK_TEST_EMAIL);
      await page.fill('input[name="password"]', 'anything at all');
    }
    if (await page.locator('input[name="email"]').count() > 0)
      await page.fill('input[name="email"]', process.env.MILK_TEST_EMAIL);
    const here = page.url();
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => u.toString() !== here);
  }

  outcome.step = 'consent';
  await page.waitForSelector('button[value="allow"]');
  outcome.consent_for = await page.textContent('main');
  await picture(page, 'consent');
  await page.click('button[value="allow"]');
  await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback/);
  outcome.heading = await page.textContent('h1');
  if (process.env.MILK_TEST_SCREENSHOT)
    await page.screenshot({ path: process.env.MILK_TEST_SCREENSHOT });
  outcome.ok = /Signed In/.test(outcome.heading);
} catch (e) {
  outcome.error = e.message;
  console.error(`sign-in-provider.mjs, at ${outcome.step}: ${e.message}`);
} finally {
  writeFileSync(process.env.MILK_TEST_OUTCOME + '.part', JSON.stringify(outcome));
  renameSync(process.env.MILK_TEST_OUTCOME + '.part', process.env.MILK_TEST_OUTCOME);
  await browser.close();
}
