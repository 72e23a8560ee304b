// diary-page.mjs — the diary on the web, as a person opens it: headless
// Chromium signs in and opens /diary for a month, at a phone's width and
// at a desktop's, and says what the bill shows.
//
//   node diary-page.mjs SERVICE_URL MONTH EMAIL PASSWORD SCREENSHOT_DIR
//
// Prints one JSON object: each width's bill rows ({"Amount": "₹310.00", …}),
// whether anything sticks out sideways, and the screenshots' paths.
//
// Copyright 2026 The Milk Diary authors
// SPDX-License-Identifier: GPL-3.0-or-later

import { chromium } from 'playwright-core';

const [service, month, email, password, shots] = process.argv.slice(2);
const result = { widths: {} };
const browser = await chromium.launch({
  executablePath: process.env.MILK_TEST_CHROMIUM || '/usr/bin/chromium',
  args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // Scripts are not needed: the pages must work with JavaScript off.
  await page.route('**/*', (route) => route.continue());
  await page.goto(`${service}/signin?return_to=${encodeURIComponent(`/diary?month=${month}`)}`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL(/\/diary\?month=/), page.click('button[type="submit"]')]);

  for (const [name, width, height] of [['phone', 360, 780], ['desktop', 1280, 900]]) {
    await page.setViewportSize({ width, height });
    await page.reload();
    const rows = {};
    for (const row of await page.locator('table.bill tr').all())
      rows[(await row.locator('th').textContent()).trim()] = (await row.locator('td').textContent()).trim();
    const days = await page.locator('.calendar li.day').count();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    const path = `${shots}/diary-${name}.png`;
    await page.screenshot({ path, fullPage: true });
    result.widths[name] = { rows, days, overflow, screenshot: path };
  }
  result.ok = true;
} catch (e) {
  result.error = e.message;
} finally {
  console.log(JSON.stringify(result));
  await browser.close();
}
