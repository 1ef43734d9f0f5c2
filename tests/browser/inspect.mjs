// Usage: node inspect.mjs <url> <screenshot.png> [width] [height]
// Opens <url> in headless Chromium (CHROMIUM, default /usr/bin/chromium), waits for it to load,
// saves a full-page screenshot, and prints one JSON object on stdout: the page's title, its
// visible text, every <img> (src, natural width, whether it loaded), and the ids of elements
// with an id.
import { chromium } from "playwright-core";

const [url, screenshot, width = "1280", height = "800"] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error("usage: node inspect.mjs <url> <screenshot.png> [width] [height]");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
  const response = await page.goto(url, { waitUntil: "load" });
  // Lazy images below the fold load once scrolled into view.
  await page.evaluate(async () => {
    for (const img of document.images) img.loading = "eager";
    await Promise.all([...document.images].map((img) => img.decode().catch(() => {})));
  });
  await page.screenshot({ path: screenshot, fullPage: true });
  const seen = await page.evaluate(() => ({
    title: document.title,
    text: document.body.innerText,
    images: [...document.images].map((img) => ({
      src: img.getAttribute("src"),
      naturalWidth: img.naturalWidth,
      complete: img.complete,
    })),
    ids: [...document.querySelectorAll("[id]")].map((e) => e.id),
    refusedRows: [...document.querySelectorAll("tr.refused")].map((r) => r.innerText),
  }));
  seen.status = response ? response.status() : null;
  console.log(JSON.stringify(seen));
} finally {
  await browser.close();
}
