// Why: one chat view's filter as reactive state — the search words, the one user shown, the kinds
// shown — shared by the feed (which shows it) and the user card ("only this user"). Each window has its
// own: the popped-out chat filters without touching the main window's.
import { ALL_KINDS, isFiltering, type ChatFilterSpec, type ChatKind } from './chat-filter';

export class ChatFilter {
  query = $state('');
  user = $state<string | null>(null);
  kinds = $state.raw<ReadonlySet<ChatKind>>(ALL_KINDS);
  /** The filter as one value: changes whenever any part does. */
  readonly spec: ChatFilterSpec = $derived({ query: this.query, user: this.user, kinds: this.kinds });
  readonly active: boolean = $derived(isFiltering(this.spec));

  /** Show or hide one kind of line. */
  toggle(kind: ChatKind): void {
    const next = new Set(this.kinds);
    if (next.has(kind)) next.delete(kind);
    else next.add(kind);
    this.kinds = next;
  }

  onlyUser(userId: string | null): void {
    this.user = userId;
  }

  clear(): void {
    this.query = '';
    this.user = null;
    this.kinds = ALL_KINDS;
  }
}
