// Light and dark: the system's preference until the user picks one, which is remembered.

const KEY = "horde-theme";

export function initTheme(): void {
  const saved = localStorage.getItem(KEY);
  const theme = saved ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  document.documentElement.dataset.theme = theme;
}

export function toggleTheme(): void {
  const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
  document.documentElement.dataset.theme = next;
  localStorage.setItem(KEY, next);
}
