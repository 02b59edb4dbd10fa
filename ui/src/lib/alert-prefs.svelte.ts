// Why: the anchor's big-gift alert choices as reactive state, shared by the alerts over the window and
// Settings → Alerts; each change is stored at once in localStorage (this computer's preference, like
// the language and the theme), so it survives a restart.
import { readAlertPrefs, writeAlertPrefs, type AlertPrefs } from './gift-alerts';
import { browserStorage } from './storage';

class AlertPrefsState {
  current = $state<AlertPrefs>(readAlertPrefs(browserStorage()));

  update(change: Partial<AlertPrefs>): void {
    this.current = { ...this.current, ...change };
    writeAlertPrefs(browserStorage(), this.current);
  }

  /** Read the stored choices again (tests; another window changed them). */
  reload(): void {
    this.current = readAlertPrefs(browserStorage());
  }
}

export const alertPrefs = new AlertPrefsState();
