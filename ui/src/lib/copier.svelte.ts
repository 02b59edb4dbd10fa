// Why: a Copy button says "Copied" for a moment, and a clipboard that cannot be used says why — the
// same for every panel that copies a credential (the push address, an invite). One small state per
// panel: which item was copied last (by id), and the last failure in words.
import { copyText } from './clipboard';
import { t } from './locale.svelte';

/** How long a Copy button says "Copied". */
export const COPIED_MS = 2000;

export class Copier {
  /** The id of the item just copied (for `COPIED_MS`). */
  copied = $state<string | null>(null);
  /** Why the last copy failed, in words. */
  error = $state<string | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;

  async copy(id: string, text: string): Promise<void> {
    this.error = null;
    try {
      await copyText(text);
      this.copied = id;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => (this.copied = null), COPIED_MS);
    } catch (e) {
      this.copied = null;
      this.error = t('goLive.copyFailed', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** The button's words for item `id`: "Copy", or "Copied" just after. */
  label(id: string): string {
    return this.copied === id ? t('goLive.copied') : t('goLive.copy');
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}
