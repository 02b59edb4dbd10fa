// Why: light/dark theme. Without a stored choice the CSS follows `prefers-color-scheme`; the toggle
// (or Settings → Appearance) stores an explicit choice and sets `<html data-theme>`, which the CSS
// variables key on; Settings can also go back to following the system.
import { browserStorage, forgetItem, storeItem, storedItem } from './storage';

export type Theme = 'light' | 'dark';

const KEY = 'anchordesk.theme';

function stored(): Theme | null {
  const v = storedItem(browserStorage(), KEY);
  return v === 'light' || v === 'dark' ? v : null;
}

function systemTheme(): Theme {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches
    ? 'dark'
    : 'light';
}

class ThemeState {
  /** The explicit choice, or null to follow the system. */
  choice = $state<Theme | null>(stored());
  system = $state<Theme>(systemTheme());
  effective = $derived<Theme>(this.choice ?? this.system);

  /** Follow system changes while no explicit choice is stored. Returns the cleanup. */
  watchSystem(): () => void {
    if (typeof matchMedia !== 'function') return () => {};
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => (this.system = mq.matches ? 'dark' : 'light');
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }

  toggle(): void {
    this.set(this.effective === 'dark' ? 'light' : 'dark');
  }

  /** An explicit theme, or null to follow the system again (Settings → Appearance). */
  set(choice: Theme | null): void {
    this.choice = choice;
    if (choice) storeItem(browserStorage(), KEY, choice);
    else forgetItem(browserStorage(), KEY);
    this.applyToDocument();
  }

  /** Follow a theme chosen in another window of the console. Returns the cleanup. */
  followOtherWindows(): () => void {
    if (typeof window === 'undefined') return () => {};
    const onStorage = (event: StorageEvent) => {
      if (event.key !== KEY) return;
      this.choice = event.newValue === 'light' || event.newValue === 'dark' ? event.newValue : null;
      this.applyToDocument();
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }

  applyToDocument(): void {
    if (typeof document === 'undefined') return;
    if (this.choice) document.documentElement.dataset.theme = this.choice;
    else delete document.documentElement.dataset.theme;
  }
}

export const theme = new ThemeState();
