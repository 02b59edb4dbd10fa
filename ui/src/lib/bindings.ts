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
at: number, };

export type GiftLine = { id: string, userId: string, giftId: string, giftName: string, count: number, 
/**
 * Price of one gift in the app's smallest unit (e.g. coins).
 */
unitPrice: number, at: number, };

export type MemberLine = { userId: string, at: number, };

export type RoomEvent = { "type": "chat" } & ChatLine | { "type": "gift" } & GiftLine | { "type": "likes", total: number, } | { "type": "online", count: number, } | { "type": "status", status: RoomStatus, } | { "type": "memberJoined" } & MemberLine | { "type": "memberLeft" } & MemberLine | { "type": "userMuted", userId: string, until: number | null, } | { "type": "userKicked", userId: string, } | { "type": "joinRefused", userId: string, };

export type EventEnvelope = { seq: number, event: RoomEvent, };

export type MuteLine = { userId: string, until: number, };

export type RoomSnapshot = { seq: number, groupId: string, name: string, status: RoomStatus, likes: number, online: number, chat: Array<ChatLine>, gifts: Array<GiftLine>, members: Array<MemberLine>, muted: Array<MuteLine>, blocked: Array<string>, };

export type ErrorCode = "invalid" | "forbidden" | "offline" | "authExpired" | "roomGone" | "rateLimited" | "notReady" | "internal";

export type WireError = { code: ErrorCode, message: string, };

export type ConsoleMode = "sandbox" | "tencent";

export type AppInfo = { version: string, mode: ConsoleMode, groupId: string, hubUrl: string, sdkAppId: number, };

