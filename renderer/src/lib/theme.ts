import type { Theme } from './types.js';

const KEY = 'quire.theme';

/** 'system' follows prefers-color-scheme (theme.css); light/dark pin it. Cached to avoid a flash on start. */
export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
  try {
    window.localStorage.setItem(KEY, theme);
  } catch {
    // Only the first paint's colours depend on it.
  }
}

export function applyCachedTheme(): void {
  try {
    const theme = window.localStorage.getItem(KEY);
    if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  } catch {
    // As above.
  }
}
