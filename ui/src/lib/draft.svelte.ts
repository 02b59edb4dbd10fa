// Why: an editor that follows a live value (the room notice, the strike ladder, pushed by events) until
// the anchor edits it, then keeps their edit — and tells when the live value moved on meanwhile — so an
// event never overwrites what someone is writing, and an untouched editor never shows a stale value.
// Values are replaced, never mutated (`equals` decides when an edit is back to the live value).

export class Draft<T = string> {
  readonly #source: () => T;
  readonly #equals: (a: T, b: T) => boolean;
  /** The anchor's value while editing; null: follow the source. */
  #edit = $state.raw<{ value: T } | null>(null);
  /** The source's value when editing began. */
  #base = $state.raw<T | undefined>(undefined);

  constructor(source: () => T, equals: (a: T, b: T) => boolean = Object.is) {
    this.#source = source;
    this.#equals = equals;
  }

  /** What the editor shows. */
  get value(): T {
    return this.#edit !== null ? this.#edit.value : this.#source();
  }

  /** Whether the anchor has unsaved edits here. */
  get dirty(): boolean {
    return this.#edit !== null;
  }

  /** Editing, and the source changed since editing began (saving replaces that change). */
  get stale(): boolean {
    return this.#edit !== null && !this.#equals(this.#source(), this.#base as T);
  }

  /** The anchor edited: keep their value; back to following once it equals the source again. */
  input(value: T): void {
    if (this.#edit === null) this.#base = this.#source();
    this.#edit = this.#equals(value, this.#source()) ? null : { value };
  }

  /** Drop the edit and follow the source again (after a save, or to discard). */
  reset(): void {
    this.#edit = null;
  }
}
