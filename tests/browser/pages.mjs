// pages.mjs — the sign-up and sign-in pages in a real headless Chromium
//
// Run by test-server-pages with MILK_TEST_URL set to a running server; prints
// one "ok NAME" or "not ok NAME: WHY" line a check.
//
// Copyright 2026 The Milk Diary authors
// SPDX-License-Identifier: GPL-3.0-or-later
import { chromium } from "playwright-core";

const base = process.env.MILK_TEST_URL;
const shots = process.env.MILK_TEST_SCREENSHOTS;
const password = "a browser password";
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    console.log(`ok ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok ${name}: ${String(e.message || e).split("\n")[0]}`);
  }
}

function expect(cond, what) {
  if (!cond) throw new Error(what);
}

const browser = await chromium.launch({
  executablePath: process.env.MILK_TEST_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();

  await check("signup-page-renders", async () => {
    const response = await page.goto(`${base}/signup`);
    expect(response.status() === 200, `status ${response.status()}`);
    expect(await page.locator("h2").innerText() === "Create an account", "no heading");
    const css = await page.evaluate(() => getComputedStyle(document.querySelector("button")).borderRadius);
    expect(css === "6px", `the style sheet did not apply (${css})`);
    if (shots) await page.screenshot({ path: `${shots}/signup.png`, fullPage: true });
  });

  await check("signup-short-password-refused", async () => {
    await page.fill("input[name=email]", "browser@example.com");
    // The form's own minlength would stop the browser; the server must too.
    await page.evaluate(() => document.querySelectorAll("input[minlength]").forEach((e) => e.removeAttribute("minlength")));
    await page.fill("input[name=password]", "short");
    await page.fill("input[name=confirm]", "short");
    const [response] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    expect(response.status() === 400, `status ${response.status()}`);
    expect((await page.locator(".error").innerText()).includes("at least 8"), "no error shown");
  });

  await check("signup-without-javascript", async () => {
    await page.fill("input[name=email]", "browser@example.com");
    await page.fill("input[name=password]", password);
    await page.fill("input[name=confirm]", password);
    await Promise.all([page.waitForURL(`${base}/account`), page.click("button[type=submit]")]);
    expect((await page.locator("main").innerText()).includes("Signed in as browser@example.com"), "not signed in");
    if (shots) await page.screenshot({ path: `${shots}/account.png`, fullPage: true });
  });

  await check("session-cookie-flags", async () => {
    const cookies = await context.cookies(base);
    const session = cookies.find((c) => c.name === "milk_session");
    expect(session, "no session cookie");
    expect(session.httpOnly, "not HttpOnly");
    expect(session.sameSite === "Lax", `SameSite=${session.sameSite}`);
    expect(await page.evaluate(() => document.cookie) === "", "the page can read the cookie");
  });

  await check("sign-out", async () => {
    await Promise.all([page.waitForURL(`${base}/signin`), page.click("form[action='/signout'] button")]);
  });

  await check("signin-wrong-password", async () => {
    await page.fill("input[name=email]", "browser@example.com");
    await page.fill("input[name=password]", "not the password");
    const [response] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    expect(response.status() === 401, `status ${response.status()}`);
    expect((await page.locator(".error").innerText()).includes("wrong"), "no error shown");
    expect(await page.inputValue("input[name=email]") === "browser@example.com", "the email was not kept");
  });

  await check("signin", async () => {
    await page.fill("input[name=password]", password);
    await Promise.all([page.waitForURL(`${base}/account`), page.click("button[type=submit]")]);
  });

  await check("return-to-tricks-stay-on-site", async () => {
    // What a link could put in return_to; browsers drop tabs and line
    // breaks and read "\\" as "/", so each of these once meant another site.
    const tricks = ["//evil.example/", "/\t/evil.example", "/\\evil.example", "\\\\evil.example",
                    "/%2F/evil.example", "https://evil.example/"];
    for (const trick of tricks) {
      const other = await browser.newContext({ javaScriptEnabled: true });
      const p = await other.newPage();
      await p.goto(`${base}/signin`);
      await p.evaluate((t) => { document.querySelector("input[name=return_to]").value = t; }, trick);
      await p.fill("input[name=email]", "browser@example.com");
      await p.fill("input[name=password]", password);
      await Promise.all([p.waitForLoadState("load"), p.click("button[type=submit]")]);
      await p.waitForLoadState("load");
      const url = p.url();
      expect(url === `${base}/account`, `${JSON.stringify(trick)} led to ${url}`);
      await other.close();
    }
  });

  await check("redirect-uri-tricks-stay-on-loopback", async () => {
    // A signed-in browser asked to authorize for each trick: the service
    // shows its error page and the browser never leaves it. Every request
    // the browser makes elsewhere is recorded (and answered by nobody).
    const registered = "http://127.0.0.1:49152/oauth/callback";
    const tricks = ["https://evil.example/oauth/callback", "http://localhost:49152/oauth/callback",
                    "http://127.0.0.2:49152/oauth/callback", "HTTP://127.0.0.1:49152/oauth/callback",
                    "http://127.0.0.1:0/oauth/callback", "http://127.0.0.1:49152/oauth/%63allback",
                    "http://127.0.0.1:49152@evil.example/oauth/callback",
                    "http://user@127.0.0.1:49152/oauth/callback", "http://127.0.0.1:49152/oauth/callback/..%2F..%2Fevil",
                    "//evil.example/oauth/callback", "http://127.0.0.1:49152/oauth/callback#@evil.example"];
    const left = [];
    const signedIn = await browser.newContext({ javaScriptEnabled: true });
    await signedIn.addCookies(await context.cookies(base));
    // Every request, redirects included (a route sees only the first of a
    // chain); nothing listens where they go.
    signedIn.on("request", (request) => {
      if (!request.url().startsWith(base)) left.push(request.url());
    });
    const authorize = (uri) => `${base}/oauth/authorize?` + new URLSearchParams({
      response_type: "code", client_id: "io.github.milkdiary.MilkDiary", redirect_uri: uri, state: "s",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGXSxdbSfQ", code_challenge_method: "S256" });
    let p = await signedIn.newPage();
    try {
      // The control: the registered URI gets the consent page, and Allow
      // leads the browser to it, which the recorder must see.
      await p.goto(authorize(registered));
      await Promise.all([signedIn.waitForEvent("request", (r) => r.url().startsWith(registered)),
                         p.click("button[value=allow]")]);
      expect(left.length === 1 && left[0].startsWith(`${registered}?code=`), `the control went to ${left.join(", ")}`);
      left.length = 0;
      await p.close();   // its navigation to the callback ends in an error page
      p = await signedIn.newPage();

      for (const trick of tricks) {
        const response = await p.goto(authorize(trick));
        expect(response.status() === 400, `${trick}: status ${response.status()}`);
        expect(await p.locator("button[value=allow]").count() === 0, `${trick}: a consent page`);
        expect(p.url().startsWith(base), `${trick} led to ${p.url()}`);
      }
      // The consent form changed in the page before Allow.
      await p.goto(authorize(registered));
      await p.evaluate(() => { document.querySelector("input[name=redirect_uri]").value = "https://evil.example/cb"; });
      const [response] = await Promise.all([p.waitForNavigation(), p.click("button[value=allow]")]);
      expect(response.status() === 400, `a changed form: status ${response.status()}`);
      expect(left.length === 0, `the browser left for ${left.join(", ")}`);
    } finally {
      await signedIn.close();
    }
  });

  await check("visit-makes-no-session", async () => {
    // A signed-out visit is not a session (it was a database row each);
    // the form's CSRF token is a cookie of its own, and the form works.
    const other = await browser.newContext({ javaScriptEnabled: false });
    const p = await other.newPage();
    await p.goto(`${base}/signin`);
    let cookies = await other.cookies(base);
    expect(!cookies.find((c) => c.name === "milk_session"), "a session cookie for a visit");
    const csrf = cookies.find((c) => c.name === "milk_csrf");
    expect(csrf && csrf.httpOnly && csrf.sameSite === "Lax", "no HttpOnly, SameSite=Lax CSRF cookie");
    await p.fill("input[name=email]", "browser@example.com");
    await p.fill("input[name=password]", password);
    await Promise.all([p.waitForURL(`${base}/account`), p.click("button[type=submit]")]);
    cookies = await other.cookies(base);
    expect(cookies.find((c) => c.name === "milk_session"), "no session after signing in");
    await other.close();
  });

  await check("csrf-rejected", async () => {
    const other = await browser.newContext({ javaScriptEnabled: true });
    const p = await other.newPage();
    await p.goto(`${base}/signin`);
    await p.evaluate(() => { document.querySelector("input[name=csrf]").value = "forged-token"; });
    await p.fill("input[name=email]", "browser@example.com");
    await p.fill("input[name=password]", password);
    const [response] = await Promise.all([p.waitForNavigation(), p.click("button[type=submit]")]);
    expect(response.status() === 403, `status ${response.status()}`);
    expect((await p.locator("h2").innerText()).includes("expired"), "no explanation");
    if (shots) await p.screenshot({ path: `${shots}/csrf.png`, fullPage: true });
    await other.close();
  });

  await check("cross-site-form-rejected", async () => {
    // A page on another origin posting to /signout with the victim's cookie.
    const evil = await context.newPage();
    await evil.setContent(`<form method="post" action="${base}/signout"><input name="csrf" value="x"><button>go</button></form>`);
    const [response] = await Promise.all([evil.waitForNavigation(), evil.click("button")]);
    expect(response.status() === 403, `status ${response.status()}`);
    const back = await page.goto(`${base}/account`);
    expect(back.status() === 200 && page.url() === `${base}/account`, "the forged form signed the user out");
  });
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
