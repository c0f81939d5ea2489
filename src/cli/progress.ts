/** A one-line progress bar on stderr, drawn only on a terminal and only for long runs. */
export function progressBar(minBytes = 64 << 20): ((read: number, total: number, packets: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  const start = Date.now();
  let last = 0;
  return (read, total, packets) => {
    if (total < minBytes) return;
    const now = Date.now();
    const done = read >= total;
    if (!done && now - last < 200) return;
    last = now;
    const frac = total > 0 ? read / total : 1;
    const width = 30;
    const fill = Math.round(frac * width);
    const secs = Math.max((now - start) / 1000, 1e-3);
    const line = `[${'='.repeat(fill)}${' '.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${(read / 1e6).toFixed(0)}/${(total / 1e6).toFixed(0)} MB  ${(packets / secs / 1e6).toFixed(2)} Mpps`;
    process.stderr.write(`\r${line}${done ? '\n' : ''}`);
  };
}
