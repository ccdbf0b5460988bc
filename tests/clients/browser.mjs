// Debian's Chromium, launched the way that works on a CI machine (root, no GPU, no network of its own).
export const CHROMIUM = process.env.IQTL_CHROMIUM || '/usr/bin/chromium';

// Playwright makes (and removes) a fresh profile of its own for each launch.
export const LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-extensions',
];
