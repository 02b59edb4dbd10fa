// Why: the Settings screen is opened from several places — the header's gear, the "could not open the
// room" overlay (a wrong credential is the usual reason), the Go live tab when going live is not set
// up — each at the section that helps. One shared state says whether it is open and at which section,
// so none of them needs a path to the others; it also remembers that saved settings wait for a restart,
// for the gear's dot.
export const SETTINGS_SECTIONS = ['im', 'hub', 'streaming', 'obs', 'alerts', 'appearance'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

class SettingsNav {
  open = $state(false);
  section = $state<SettingsSection>('im');
  /** Saved settings differ from what runs (as the app last said). */
  restartPending = $state(false);

  /** Opens the screen, at `section` if given (else where it was last). */
  show(section?: SettingsSection): void {
    if (section) this.section = section;
    this.open = true;
  }

  hide(): void {
    this.open = false;
  }
}

export const settingsNav = new SettingsNav();
