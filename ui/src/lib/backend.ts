// Why: the one seam between the UI and the Rust side. Only this module imports `@tauri-apps/*`;
// everything else talks to a `Backend`, which is the Tauri IPC inside the app and an in-memory fake
// in a plain browser (`npm run dev`) and in tests. Every rejection is normalised to a `WireError`.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { AuditExportFormat } from './audit';
import type {
  AppInfo,
  AuditLine,
  AuditQuery,
  Feed,
  HubConnection,
  HubJoined,
  Invite,
  Me,
  ModAction,
  Person,
  Role,
  RoomStatus,
  SecretChange,
  Settings,
  SettingsView,
  StreamAddress,
  StreamSession,
  StrikeLadder,
  TeamMember,
  UserCard,
  WordRule,
} from './bindings';
import { FakeBackend } from './fake-backend';
import { toWireError } from './wire';

/** A notice change: a field left out (or null) stays as it is. */
export interface NoticeChange {
  notice?: string | null;
  introduction?: string | null;
}

export interface Backend {
  /**
   * Follow the room: everything arrives on `onFeed`, in order — a snapshot first, then batches of
   * the events after it; another snapshot may come at any time (the console fell too far behind, or
   * the room restarted) and replaces the state. Resolves once the subscription runs; rejects with a
   * WireError (`notReady` while the room is still starting).
   */
  subscribe(onFeed: (feed: Feed) => void): Promise<void>;
  setStatus(status: RoomStatus): Promise<void>;
  /**
   * Mute, unmute, kick, unblock, ban or unban a viewer, give them a strike, hide a message, or mute
   * everyone, as the anchor (audited).
   */
  moderate(action: ModAction): Promise<void>;
  /** Replaces the room's strike ladder; rejects saying what to fix. */
  setStrikeLadder(ladder: StrikeLadder): Promise<void>;
  /** The latest `limit` streams, newest first. */
  sessions(limit: number): Promise<StreamSession[]>;
  /** The word list in force. */
  words(): Promise<WordRule[]>;
  /** Replaces the whole word list. */
  setWords(rules: WordRule[]): Promise<void>;
  /** Reads the import format (`pattern` or `pattern<TAB>action` per line); rejects naming the bad line. */
  parseWords(text: string): Promise<WordRule[]>;
  /** The export text of `rules` (the import format). */
  formatWords(rules: WordRule[]): Promise<string>;
  /** Approves (re-sends) or rejects a held message. */
  resolveHeld(id: number, approve: boolean): Promise<void>;
  /** Searches the audit log, newest first. */
  audit(query: AuditQuery): Promise<AuditLine[]>;
  /** The lines `query` finds, as CSV or JSON text. */
  exportAudit(query: AuditQuery, format: AuditExportFormat): Promise<string>;
  /** Undoes an audited mute, kick or ban. */
  undo(auditId: number): Promise<void>;
  /** Everything about one viewer: counters, level, note, recent messages, past actions, live state. */
  userCard(userId: string): Promise<UserCard>;
  /** Keeps a moderator's note about a viewer (at most 2000 UTF-8 bytes). */
  setNote(userId: string, note: string): Promise<void>;
  /**
   * Changes the room notice and/or introduction (announced and audited); rejects over Tencent's byte
   * limits (notice 300, introduction 240).
   */
  setNotice(change: NoticeChange): Promise<void>;
  // ---- the keyword lottery and broadcasts ----
  /**
   * Opens a keyword lottery: viewers whose delivered message carries `keyword` enter, once each
   * (announced and audited). Rejects when one is open already or the keyword is not 1 to 32
   * characters of text.
   */
  openLottery(keyword: string): Promise<void>;
  /** Stops taking entries (announced and audited); rejects when no lottery is open. */
  closeLottery(): Promise<void>;
  /**
   * Closes the lottery and draws up to `winners` (0 counts as 1) from its entrants; the same `seed`
   * repeats a draw exactly (null: a random one, recorded in the audit log). Resolves with the winners;
   * rejects when no lottery was opened.
   */
  drawLottery(winners: number, seed?: number | null): Promise<string[]>;
  /**
   * Sends `text` to every live room of the app (natively where the IM edition has it, otherwise to
   * this room) with High priority; audited. Rejects unless it is 1 to 4000 bytes of text.
   */
  broadcast(text: string): Promise<void>;
  // ---- end of the keyword lottery and broadcasts ----
  appInfo(): Promise<AppInfo>;
  // ---- the OS locale and the chat window ----
  /** The OS locale (BCP 47, e.g. "zh-CN"), or null when unknown: the UI's first language. */
  systemLocale(): Promise<string | null>;
  /** Opens the chat in its own window (or focuses it when open). */
  popOutChat(): Promise<void>;
  /** Closes the chat's own window (the main window shows the chat again). */
  popInChat(): Promise<void>;
  /**
   * Told whenever the chat window opens or closes (also when the user closes it from the window
   * manager). Returns the unsubscribe.
   */
  onChatWindow(listener: (open: boolean) => void): () => void;
  // ---- end of the OS locale and the chat window ----
  /**
   * The push address in use (made on first ask): OBS's server and key, the whole URL, SRT, the QR
   * code and the play URLs — a credential, for the owner's console only. Rejects `invalid` when going
   * live is not set up.
   */
  streamAddress(): Promise<StreamAddress>;
  /** A fresh push address with a new expiry; `rotate` switches to the other push key. */
  renewStreamAddress(rotate: boolean): Promise<StreamAddress>;
  /** Puts the push address into OBS and reads it back. */
  applyToObs(): Promise<void>;
  /**
   * Address → OBS → start → the ingest confirms → the room is live. The steps arrive as `goLive`
   * events; resolves when the room is live, rejects with the reason at the first step that fails.
   */
  goLive(): Promise<void>;
  /** Stops OBS's stream; with `end`, the room's stream ends too. */
  stopStream(end: boolean): Promise<void>;

  // ---- settings (works even when the room could not start) ----
  /** The saved settings, which secrets are stored (never their values), and whether a restart is due. */
  settings(): Promise<SettingsView>;
  /**
   * Checks everything, then saves `settings` and the `secrets` listed (null forgets one; secrets not
   * listed stay). Rejects `invalid` naming the field and what to fix, saving nothing.
   */
  saveSettings(settings: Settings, secrets: SecretChange[]): Promise<SettingsView>;
  /** Restarts AnchorDesk so the saved settings apply. */
  restart(): Promise<void>;
  /**
   * Joins a team's hub by invite: redeems `code` at `hubUrl` (trusting the PEM file `hubCa` too) and
   * saves that hub as this console's, its token kept as a secret; the console connects after a
   * restart. Rejects with the hub's refusal (a used or expired code) or `invalid` naming what to fix.
   */
  joinHub(hubUrl: string, code: string, name: string | null, hubCa: string | null): Promise<HubJoined>;

  // ---- the hub's team ----
  /** This console's link to its hub now (embedded: always connected, as the owner). */
  hubConnection(): Promise<HubConnection>;
  /** Told on every change of the link (reconnecting, revoked…). Returns the unsubscribe. */
  onHubConnection(listener: (connection: HubConnection) => void): () => void;
  /** Who this console is on its hub: name and role, and the room the hub hosts. */
  hubMe(): Promise<Me>;
  /** Everyone on the team (not revoked): name, role, and their open consoles. */
  team(): Promise<TeamMember[]>;
  /** Everyone who joined, revoked or not (the owner's only). */
  people(): Promise<Person[]>;
  /** A single-use invite for a moderator or a viewer (the owner's only): its code is shown once. */
  invite(role: Role, name: string | null, validForSecs: number | null): Promise<Invite>;
  /** Revokes a person's access (the owner's only); their consoles are disconnected at once. */
  revoke(personId: number): Promise<Person>;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toWireError(e);
  }
}

/** The Tauri commands of the Rust side (`room_*`, `stream_*`, `settings_*`, `app_*`). */
export class TauriBackend implements Backend {
  async subscribe(onFeed: (feed: Feed) => void): Promise<void> {
    const channel = new Channel<Feed>();
    channel.onmessage = (feed) => onFeed(feed);
    await call<null>('room_subscribe', { onFeed: channel });
  }

  async setStatus(status: RoomStatus): Promise<void> {
    await call<null>('room_set_status', { status });
  }

  async moderate(action: ModAction): Promise<void> {
    await call<null>('room_moderate', { action });
  }

  async setStrikeLadder(ladder: StrikeLadder): Promise<void> {
    await call<null>('room_set_strike_ladder', { ladder });
  }

  sessions(limit: number): Promise<StreamSession[]> {
    return call<StreamSession[]>('room_sessions', { limit });
  }

  words(): Promise<WordRule[]> {
    return call<WordRule[]>('room_words');
  }

  async setWords(rules: WordRule[]): Promise<void> {
    await call<null>('room_set_words', { rules });
  }

  parseWords(text: string): Promise<WordRule[]> {
    return call<WordRule[]>('words_parse', { text });
  }

  formatWords(rules: WordRule[]): Promise<string> {
    return call<string>('words_format', { rules });
  }

  async resolveHeld(id: number, approve: boolean): Promise<void> {
    await call<null>('room_resolve_held', { id, approve });
  }

  audit(query: AuditQuery): Promise<AuditLine[]> {
    return call<AuditLine[]>('room_audit', { query });
  }

  exportAudit(query: AuditQuery, format: AuditExportFormat): Promise<string> {
    return call<string>('room_audit_export', { query, format });
  }

  async undo(auditId: number): Promise<void> {
    await call<null>('room_undo', { auditId });
  }

  userCard(userId: string): Promise<UserCard> {
    return call<UserCard>('room_user_card', { userId });
  }

  async setNote(userId: string, note: string): Promise<void> {
    await call<null>('room_set_note', { userId, note });
  }

  async setNotice(change: NoticeChange): Promise<void> {
    await call<null>('room_set_notice', { notice: change.notice ?? null, introduction: change.introduction ?? null });
  }

  // ---- the keyword lottery and broadcasts ----
  async openLottery(keyword: string): Promise<void> {
    await call<null>('room_lottery_open', { keyword });
  }

  async closeLottery(): Promise<void> {
    await call<null>('room_lottery_close');
  }

  drawLottery(winners: number, seed: number | null = null): Promise<string[]> {
    return call<string[]>('room_lottery_draw', { winners, seed });
  }

  async broadcast(text: string): Promise<void> {
    await call<null>('room_broadcast', { text });
  }
  // ---- end of the keyword lottery and broadcasts ----

  appInfo(): Promise<AppInfo> {
    return call<AppInfo>('app_info');
  }

  // ---- the OS locale and the chat window ----
  systemLocale(): Promise<string | null> {
    return call<string | null>('system_locale');
  }

  async popOutChat(): Promise<void> {
    await call<null>('chat_pop_out');
  }

  async popInChat(): Promise<void> {
    await call<null>('chat_pop_in');
  }

  onChatWindow(listener: (open: boolean) => void): () => void {
    return listenTo<{ open: boolean }>('chat-window', (payload) => listener(payload.open === true));
  }
  // ---- end of the OS locale and the chat window ----

  streamAddress(): Promise<StreamAddress> {
    return call<StreamAddress>('stream_address');
  }

  renewStreamAddress(rotate: boolean): Promise<StreamAddress> {
    return call<StreamAddress>('stream_renew', { rotate });
  }

  async applyToObs(): Promise<void> {
    await call<null>('stream_apply_obs');
  }

  async goLive(): Promise<void> {
    await call<null>('stream_go_live');
  }

  async stopStream(end: boolean): Promise<void> {
    await call<null>('stream_stop', { end });
  }

  settings(): Promise<SettingsView> {
    return call<SettingsView>('settings_get');
  }

  saveSettings(settings: Settings, secrets: SecretChange[]): Promise<SettingsView> {
    return call<SettingsView>('settings_save', { settings, secrets });
  }

  async restart(): Promise<void> {
    await call<null>('app_restart');
  }

  joinHub(hubUrl: string, code: string, name: string | null, hubCa: string | null): Promise<HubJoined> {
    return call<HubJoined>('hub_join', { hubUrl, code, name, hubCa });
  }

  // ---- the hub's team ----
  hubConnection(): Promise<HubConnection> {
    return call<HubConnection>('hub_connection');
  }

  onHubConnection(listener: (connection: HubConnection) => void): () => void {
    return listenTo<HubConnection>('hub-connection', listener);
  }

  hubMe(): Promise<Me> {
    return call<Me>('hub_me');
  }

  team(): Promise<TeamMember[]> {
    return call<TeamMember[]>('hub_team');
  }

  people(): Promise<Person[]> {
    return call<Person[]>('hub_people');
  }

  invite(role: Role, name: string | null, validForSecs: number | null): Promise<Invite> {
    return call<Invite>('hub_invite', { role, name, validForSecs });
  }

  revoke(personId: number): Promise<Person> {
    return call<Person>('hub_revoke', { personId });
  }
}

/**
 * Listens to a Tauri event. `listen` resolves later; an unsubscribe before then must still take
 * effect. Without event delivery (e.g. a missing capability) the listener is just never told.
 */
function listenTo<T>(event: string, listener: (payload: T) => void): () => void {
  let unlisten: UnlistenFn | null = null;
  let stopped = false;
  listen<T>(event, (e) => listener(e.payload)).then(
    (off) => (stopped ? off() : (unlisten = off)),
    () => {},
  );
  return () => {
    stopped = true;
    unlisten?.();
  };
}

export function insideTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/**
 * Builds the page's fake instead of the preview's busy room: a page test (Playwright) sets it in an
 * init script, before the app starts, to choose the room and to hold or fail the first calls.
 */
export type FakeSetup = (Fake: typeof FakeBackend) => FakeBackend;

/** Tauri's IPC inside the app; otherwise a simulated room for the browser preview. */
export function getBackend(): Backend {
  if (insideTauri()) return new TauriBackend();
  const page = window as unknown as { __anchordeskFake?: FakeBackend; __anchordeskFakeSetup?: FakeSetup };
  const fake = page.__anchordeskFakeSetup?.(FakeBackend) ?? FakeBackend.preview();
  // For poking the preview from the devtools console (and for page tests): `__anchordeskFake.push({...})`.
  page.__anchordeskFake = fake;
  return fake;
}
