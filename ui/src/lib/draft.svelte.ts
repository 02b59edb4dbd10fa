// Why: a text field that follows a live value (the room notice, pushed by events) until the anchor
// types in it, then keeps their text — and tells when the live value moved on meanwhile — so an
// event never overwrites what someone is writing, and an untouched field never shows stale text.

export class Draft {
  readonly #source: () => string;
  /** The anchor's text while editing; null: follow the source. */
  #edit = $state<string | null>(null);
  /** The source's value when editing began. */
  #base = $state('');

  constructor(source: () => string) {
    this.#source = source;
  }

  /** What the field shows. */
  get value(): string {
    return this.#edit ?? this.#source();
  }

  /** Whether the anchor has unsaved text here. */
  get dirty(): boolean {
    return this.#edit !== null;
  }

  /** Editing, and the source changed since editing began (saving replaces that change). */
  get stale(): boolean {
    return this.#edit !== null && this.#source() !== this.#base;
  }

  /** The anchor typed: keep their text; back to following once it equals the source again. */
  input(text: string): void {
    if (this.#edit === null) this.#base = this.#source();
    this.#edit = text === this.#source() ? null : text;
  }

  /** Drop the edit and follow the source again (after a save, or to discard). */
  reset(): void {
    this.#edit = null;
  }
}
