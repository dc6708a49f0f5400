// Browser half of scripts/bench-validation: times the shared rules compiled to WASM, in
// Chromium, through the `bench_check_draft` export of a build made with the `bench` feature.
import { chromium } from '@playwright/test';

const [url, js, wasmFile] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.goto(`${url}pkg/`);
  const runs = await page.evaluate(async ([js, wasmFile]) => {
    const wasm = await import(js);
    await wasm.default({ module_or_path: wasmFile });
    wasm.bench_check_draft(50); // warm-up
    const runs = [];
    for (let i = 0; i < 25; i++) runs.push(wasm.bench_check_draft(100));
    return runs;
  }, [js, wasmFile]);
  runs.sort((a, b) => a - b);
  const f = (x) => x.toFixed(4);
  console.log(`browser check_draft, 10 specs x 16 tiers: median ${f(runs[12])} ms, min ${f(runs[0])} ms, max ${f(runs[24])} ms (25 runs of 100, WASM in Chromium; goal < 1 ms)`);
} finally {
  await browser.close();
}
