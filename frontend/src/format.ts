// Number formatting shared by the app and the report.

const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

export function count(value: number): string {
  return whole.format(value);
}

export function rate(value: number): string {
  return value >= 100 ? whole.format(value) : one.format(value);
}

/** Milliseconds with sub-millisecond precision where it matters (Horde's times are exact to 1 µs). */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  if (value >= 100) return whole.format(value);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function percent(value: number): string {
  return `${(value * 100).toFixed(value > 0 && value < 0.001 ? 3 : 1)}%`;
}

export function bytes(value: number): string {
  if (value >= 1_048_576) return `${(value / 1_048_576).toFixed(1)} MB`;
  if (value >= 1024) return `${(value / 1024).toFixed(1)} kB`;
  return `${whole.format(value)} B`;
}

export function clock(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toLocaleTimeString([], { hour12: false });
}

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h ? `${h}h${String(m).padStart(2, "0")}m` : m ? `${m}m${String(rest).padStart(2, "0")}s` : `${rest}s`;
}
