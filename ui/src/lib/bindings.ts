// Generated from the Rust types by tests/bindings.rs. Do not edit: change the Rust type, then run `make bindings`.

export type RoomStatus = "upcoming" | "live" | "paused" | "ended" | "replay";

export type ChatLine = { 
/**
 * Stable within a room: `"{MsgSeq}"` from Tencent, or a local id for lines without one.
 */
id: string, userId: string, text: string, 
/**
 * Unix milliseconds.
 */
at: number, 
/**
 * Hidden on every client by a moderator (still shown, struck through, to moderators).
 */
hidden: boolean, };

export type GiftLine = { id: string, userId: string, giftId: string, giftName: string, count: number, 
/**
 * Price of one gift in the app's smallest unit (e.g. coins).
 */
unitPrice: number, at: number, };

export type MemberLine = { userId: string, at: number, };

export type RoomEvent = { "type": "chat" } & ChatLine | { "type": "gift" } & GiftLine | { "type": "likes", total: number, } | { "type": "online", count: number, } | { "type": "status", status: RoomStatus, } | { "type": "memberJoined" } & MemberLine | { "type": "memberLeft" } & MemberLine | { "type": "userMuted", userId: string, until: number | null, } | { "type": "userKicked", userId: string, } | { "type": "joinRefused", userId: string, } | { "type": "held" } & HeldLine | { "type": "heldResolved", id: number, approved: boolean, actor: string, } | { "type": "blocked" } & BlockedLine | { "type": "userUnblocked", userId: string, } | { "type": "audit" } & AuditLine | { "type": "words", count: number, } | { "type": "drops" } & DropMinute | { "type": "notice", notice: string, introduction: string, } | { "type": "lottery" } & LotteryLine | { "type": "popularity", score: number, } | { "type": "messageHidden", id: string, actor: string, } | { "type": "muteAll", on: boolean, } | { "type": "strikeLadder" } & StrikeLadder | { "type": "session" } & StreamSession | { "type": "streamHealth" } & StreamHealth | { "type": "goLive" } & GoLiveProgress | { "type": "statusSync" } & StatusSyncLine | { "type": "renamed", name: string, };

export type EventEnvelope = { seq: number, event: RoomEvent, };

export type MuteLine = { userId: string, until: number, };

export type WordAction = "deliver" | "hold" | "drop" | "refuse";

export type WordRule = { pattern: string, action: WordAction, };

export type HeldLine = { id: number, userId: string, text: string, 
/**
 * The rule that held it.
 */
pattern: string, at: number, };

export type BlockedLine = { userId: string, text: string, pattern: string, action: WordAction, at: number, };

export type AuditAction = "mute" | "unmute" | "kick" | "unblock" | "ban" | "unban" | "status" | "notice" | "words" | "approve" | "reject" | "lottery" | "broadcast" | "hide" | "muteAll" | "strike" | "forgive" | "ladder" | "invite" | "join" | "revoke" | "refused";

export type AuditLine = { id: number, 
/**
 * Unix milliseconds.
 */
at: number, actor: string, action: AuditAction, 
/**
 * A user ID, or what else was acted on (the room, the word list).
 */
target: string, detail: string, reason: string, 
/**
 * Seconds, for timed actions.
 */
duration: number | null, 
/**
 * The audit line that undid this one.
 */
undoneBy: number | null, };

export type DropCount = { sent: number, dropped: number, };

export type DropMinute = { 
/**
 * The minute's start, unix milliseconds.
 */
at: number, high: DropCount, normal: DropCount, low: DropCount, };

export type OnlineSample = { at: number, count: number, };

export type UserCard = { userId: string, 
/**
 * Unix seconds; 0 when the room has never seen them.
 */
firstSeen: number, lastSeen: number, messages: number, likes: number, 
/**
 * What their gifts were worth, in the app's smallest unit.
 */
giftValue: number, onlineSecs: number, 
/**
 * 1 and up, from messages, likes, gifts and time online (see `level_for`).
 */
level: number, note: string, 
/**
 * Their latest messages in this room, this stream and before, oldest first.
 */
messagesRecent: Array<ChatLine>, 
/**
 * What was done to them, newest first.
 */
actions: Array<AuditLine>, 
/**
 * Their messages in the current (or last) stream.
 */
streamMessages: number, 
/**
 * Strikes within the ladder's window.
 */
strikes: number, 
/**
 * Unix seconds, when muted now.
 */
mutedUntil: number | null, 
/**
 * Unix seconds (`null` when not blocked; a kick without end shows as a far date).
 */
blockedUntil: number | null, };

export type LotteryLine = { keyword: string, 
/**
 * Entries are being taken.
 */
open: boolean, entrants: number, winners: Array<string>, 
/**
 * The seed of the last draw, in decimal: a u64 does not fit a JavaScript number.
 */
seed: string | null, };

export type GiftOrder = { userId: string, giftId: string, giftName: string, 
/**
 * Price of one gift in the app's smallest unit.
 */
unitPrice: number, 
/**
 * How many: a chosen count is one message; for a click, 1.
 */
count: number, 
/**
 * Part of a click streak (merged), rather than a chosen count (sent as it is).
 */
click: boolean, };

export type StreamSession = { id: number, 
/**
 * Unix milliseconds.
 */
startedAt: number, 
/**
 * Unix milliseconds; `null` while the stream goes on.
 */
endedAt: number | null, peakOnline: number, messages: number, likes: number, giftValue: number, };

export type StatusSyncLine = { status: RoomStatus, synced: boolean, error: string | null, attempts: number, };

export type IngestState = "active" | "inactive" | "forbid" | "unknown";

export type IngestHealth = { state: IngestState, 
/**
 * Why the state is unknown, when a check failed (in words for the anchor).
 */
error: string | null, 
/**
 * Unix milliseconds of the last check.
 */
checkedAt: number, 
/**
 * Unix milliseconds since when the stream has been active.
 */
activeSince: number | null, };

export type StreamHealth = { 
/**
 * `None` when no OBS is configured.
 */
obs: ObsHealth | null, ingest: IngestHealth, 
/**
 * The push address expires at (unix seconds); OBS cannot reconnect after it.
 */
pushExpiresAt: number | null, 
/**
 * The room goes to paused when the ingest loses the stream, and back to live when it returns.
 */
autoPause: boolean, };

export type GoLiveStep = "address" | "obs" | "start" | "ingest" | "live";

export type StepState = "running" | "done" | "failed";

export type GoLiveProgress = { step: GoLiveStep, state: StepState, message: string, actor: string, at: number, };

export type PlayUrl = { format: string, url: string, };

export type StreamAddress = { 
/**
 * OBS's "Server".
 */
server: string, 
/**
 * OBS's "Stream Key" (a credential until it expires: show it masked).
 */
streamKey: string, 
/**
 * The whole RTMP URL.
 */
url: string, srtUrl: string | null, expiresAt: number, 
/**
 * Less than the renewal margin is left: an encoder that reconnects after `expires_at` is refused.
 */
renewDue: boolean, 
/**
 * Which key signed it: `primary` or `backup`.
 */
key: string, 
/**
 * The RTMP URL as a QR code (PNG, base64), for mobile push apps.
 */
qrPngBase64: string, 
/**
 * Play addresses by format (`flv`, `hls`, `rtmp`, `webrtc`).
 */
play: Array<PlayUrl>, streamName: string, };

export type StrikeStep = { "type": "warn" } | { "type": "mute", seconds: number, } | { "type": "muteUntilEndOfStream" } | { "type": "kick" } | { "type": "ban", seconds: number, };

export type StrikeLadder = { 
/**
 * The n-th strike within the window takes step n (the last step repeats past the end).
 */
steps: Array<StrikeStep>, 
/**
 * Strikes older than this are forgiven.
 */
windowSecs: number, 
/**
 * Messages the word filter refuses or drops give their sender a strike (at most one a minute).
 */
fromFilter: boolean, };

export type RoomSnapshot = { 
/**
 * Which run of the room the sequence numbers belong to: they restart at 1 when the hub restarts,
 * so a console resumes with `(epoch, seq)` and gets a fresh snapshot if the epoch changed.
 */
epoch: number, seq: number, groupId: string, name: string, status: RoomStatus, likes: number, online: number, chat: Array<ChatLine>, gifts: Array<GiftLine>, members: Array<MemberLine>, muted: Array<MuteLine>, blocked: Array<string>, held: Array<HeldLine>, 
/**
 * Recent word-filter blocks.
 */
filtered: Array<BlockedLine>, 
/**
 * The most recent audit lines, oldest first.
 */
audit: Array<AuditLine>, 
/**
 * How many word rules are in force.
 */
words: number, 
/**
 * Drop accounting for the last hour, oldest first.
 */
drops: Array<DropMinute>, notice: string, introduction: string, 
/**
 * The online count over the last hour, oldest first (for a sparkline).
 */
onlineHistory: Array<OnlineSample>, 
/**
 * Engagement since the room opened, weighted like viewer levels: messages 2 points, 10 likes 1,
 * a unit of gift value 1, a minute online 1 (for ranking rooms).
 */
popularity: number, 
/**
 * The keyword lottery, if one was opened since the room started.
 */
lottery: LotteryLine | null, 
/**
 * Everyone but admins is muted.
 */
mutedAll: boolean, 
/**
 * A status change not yet on Tencent (retrying), if any.
 */
statusSync: StatusSyncLine | null, 
/**
 * The stream's health, once a stream desk reports it.
 */
streamHealth: StreamHealth | null, 
/**
 * The last go-live step reported.
 */
goLive: GoLiveProgress | null, strikeLadder: StrikeLadder, 
/**
 * The stream going on, or the last one.
 */
session: StreamSession | null, };

export type Resume = { epoch: number, seq: number, };

export type Feed = { "type": "snapshot", snapshot: RoomSnapshot, } | { "type": "events", events: Array<EventEnvelope>, };

export type ModAction = { "type": "mute", userId: string, seconds: number, untilEndOfStream: boolean, reason: string, } | { "type": "unmute", userId: string, reason: string, } | { "type": "kick", userId: string, reason: string, } | { "type": "unblock", userId: string, } | { "type": "ban", userId: string, seconds: number, reason: string, } | { "type": "unban", userId: string, } | { "type": "hide", msgId: string, reason: string, } | { "type": "muteAll", on: boolean, reason: string, } | { "type": "strike", userId: string, reason: string, };

export type AuditQuery = { 
/**
 * Matches actor, target, detail or reason (case-insensitive substring).
 */
text: string | null, 
/**
 * Only lines about this user.
 */
target: string | null, action: AuditAction | null, 
/**
 * At most this many lines, newest first (0: 200).
 */
limit: number, };

export type ErrorCode = "invalid" | "forbidden" | "offline" | "authExpired" | "roomGone" | "rateLimited" | "notReady" | "internal";

export type WireError = { code: ErrorCode, message: string, };

export type ConsoleMode = "sandbox" | "tencent" | "remote";

export type AppInfo = { version: string, mode: ConsoleMode, groupId: string, hubUrl: string, sdkAppId: number, };

export type Role = "owner" | "moderator" | "viewer";

export type Person = { id: number, name: string, role: Role, 
/**
 * Unix milliseconds.
 */
createdAt: number, 
/**
 * When their token was last used (unix milliseconds, to the minute).
 */
lastSeen: number | null, 
/**
 * Their open event streams.
 */
connected: number, revoked: boolean, };

export type Invite = { code: string, 
/**
 * `anchordesk://join?hub=…&code=…`, for a console to open.
 */
link: string, role: Role, name: string | null, 
/**
 * Unix milliseconds.
 */
expiresAt: number, };

export type Joined = { token: string, role: Role, name: string, personId: number, };

export type Me = { 
/**
 * 0 for the owner.
 */
personId: number, 
/**
 * The name the audit log records for their actions.
 */
name: string, role: Role, 
/**
 * The group ID of the room the hub hosts.
 */
room: string, 
/**
 * The Tencent IM app the room belongs to (not a secret: every viewer's app carries it).
 */
sdkAppId: number, };

export type TeamMember = { name: string, role: Role, 
/**
 * Their open event streams (0: not connected now).
 */
connected: number, };

export type HubConnection = { "type": "connecting" } | { "type": "connected", role: Role, name: string, } | { "type": "reconnecting", attempt: number, since: number, reason: string, } | { "type": "revoked", reason: string, } | { "type": "unauthorized", reason: string, } | { "type": "failed", reason: string, };

export type PushProtocol = "rtmp" | "webRtc" | "srt" | "rtmpOverSrt";

export type PushAddress = { protocol: PushProtocol, 
/**
 * The whole URL, for encoders that take one.
 */
url: string, 
/**
 * OBS "Server": up to and including `AppName/` for RTMP; the whole URL for SRT; none for WebRTC.
 */
server: string | null, 
/**
 * OBS "Stream Key": `StreamName?txSecret=…&txTime=…` for RTMP; empty for SRT; none for WebRTC.
 */
streamKey: string | null, txTime: string | null, txSecret: string | null, 
/**
 * Unix seconds; none when push authentication is off.
 */
expiresAt: number | null, };

export type PlayFormat = "webRtc" | "flv" | "hls" | "rtmp";

export type PlayAddress = { format: PlayFormat, url: string, 
/**
 * The name played: `StreamName`, or `StreamName_template` for a transcoded stream.
 */
streamName: string, txTime: string | null, txSecret: string | null, 
/**
 * `txTime` + the validity period, in unix seconds; none without play authentication.
 */
expiresAt: number | null, };

export type Expiry = { "type": "valid", secondsLeft: number, } | { "type": "renewSoon", secondsLeft: number, } | { "type": "expired", secondsAgo: number, };

export type ObsVersion = { obs: string, websocket: string, };

export type OutputState = "starting" | "started" | "stopping" | "stopped" | "reconnecting" | "reconnected" | "unknown";

export type ObsConnection = { "type": "connecting", attempt: number, } | { "type": "connected", version: ObsVersion, } | { "type": "disconnected", reason: string, attempt: number, retryInMs: number, } | { "type": "stopped" };

export type ObsHealth = { connection: ObsConnection, output: OutputState, 
/**
 * `outputActive`: OBS is sending (or reconnecting).
 */
live: boolean, reconnecting: boolean, 
/**
 * Over the last two polls of a live output.
 */
bitrateKbps: number | null, bytes: number, durationMs: number, totalFrames: number, skippedFrames: number, 
/**
 * skipped / total frames, 0 to 1.
 */
dropRatio: number, 
/**
 * 0 to 1.
 */
congestion: number, 
/**
 * The Custom service's server, query masked; none until read or for other services.
 */
server: string | null, };

export type Settings = { 
/**
 * Tencent IM SDKAppID; set → the console runs on Tencent, unset → the sandbox.
 */
sdkAppId: number | null, 
/**
 * china, singapore, seoul, tokyo, frankfurt, mumbai, siliconvalley or jakarta (default: china).
 */
imRegion: string | null, 
/**
 * Overrides the region's REST endpoint (advanced).
 */
imEndpoint: string | null, 
/**
 * The admin account (default: administrator).
 */
imAdmin: string | null, 
/**
 * The room's name when it is created (default: AnchorDesk live room).
 */
roomName: string | null, 
/**
 * Where the hub listens for Tencent's callbacks (default: 127.0.0.1:8690 on Tencent).
 */
hubListen: string | null, 
/**
 * The address the team reaches this hub at (https://hub.example.com:8690), for invite links.
 */
hubPublicUrl: string | null, pushDomain: string | null, 
/**
 * The AppName (default: live).
 */
pushApp: string | null, streamName: string | null, 
/**
 * How long a push address stays valid, e.g. 24h (the default) or 7d.
 */
pushValidFor: string | null, playDomain: string | null, cssSecretId: string | null, cssRegion: string | null, 
/**
 * OBS's WebSocket address (default: ws://127.0.0.1:4455).
 */
obsUrl: string | null, 
/**
 * Pause the room when the ingest loses the stream (default: on).
 */
autoPause: boolean | null, 
/**
 * A remote hub (https://…, or http:// on this machine): set → this console is its client (with the
 * hubToken secret) instead of running its own hub.
 */
hubUrl: string | null, 
/**
 * A PEM certificate file to trust for the remote hub (one with a self-signed certificate).
 */
hubCa: string | null, };

export type SecretName = "imSecretKey" | "callbackToken" | "apiToken" | "pushKey" | "pushBackupKey" | "playKey" | "cssSecretKey" | "obsPassword" | "hubToken";

export type SecretChange = { name: SecretName, value: string | null, };

export type SecretStore = "keychain" | "file";

export type SettingsView = { settings: Settings, 
/**
 * Which secrets are stored (never their values).
 */
secretsSet: Array<SecretName>, secretStore: SecretStore, 
/**
 * Settings field names and SecretNames that an ANCHORDESK_* environment variable overrides.
 */
fromEnv: Array<string>, 
/**
 * What the saved settings run (after a restart).
 */
mode: ConsoleMode, 
/**
 * The saved settings differ from what runs now.
 */
restartNeeded: boolean, };

export type HubJoined = { name: string, role: Role, settings: SettingsView, };

export type ChatWindow = { open: boolean, };

