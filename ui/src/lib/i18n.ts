// Why: every string the anchor sees, in English, 简体中文, 한국어 and 日本語, plus language detection and
// `{placeholder}` interpolation. Components never show literals of their own; the catalogue's types
// make a key missing from any language a compile error, and i18n.test.ts checks it at run time too.

export const LANGS = ['en', 'zh', 'ko', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

/** Each language's name in itself, for the switcher. */
export const LANG_NAMES: Readonly<Record<Lang, string>> = {
  en: 'English',
  zh: '简体中文',
  ko: '한국어',
  ja: '日本語',
};

/** BCP 47 tags for `<html lang>`: they steer the CJK font fallback (Han glyph shapes differ). */
export const LANG_TAGS: Readonly<Record<Lang, string>> = {
  en: 'en',
  zh: 'zh-CN',
  ko: 'ko',
  ja: 'ja',
};

const en = {
  'app.name': 'AnchorDesk',
  'app.roomFallback': 'Live room',

  'header.groupId': 'Group {id}',
  'header.mode.sandbox': 'Sandbox',
  'header.mode.tencent': 'Tencent IM',
  'header.version': 'Version {version}',
  'header.online': 'Online',
  'header.likes': 'Likes',
  'header.language': 'Language',
  'header.theme.toDark': 'Switch to dark theme',
  'header.theme.toLight': 'Switch to light theme',

  'conn.connecting': 'Connecting',
  'conn.connected': 'Connected',
  'conn.error': 'Error',
  'conn.waitingRoom': 'Connecting to the room…',
  'conn.failed': 'Could not open the room',
  'conn.retry': 'Retry',

  'status.upcoming': 'Upcoming',
  'status.live': 'Live',
  'status.paused': 'Paused',
  'status.ended': 'Ended',
  'status.replay': 'Replay',
  'status.label': 'Room status',
  'status.toggle': 'Room status: {status}',
  'status.current': 'Current',
  'status.saving': 'Updating…',
  'status.notAllowed': 'Not possible from {status}',

  'chat.title': 'Chat',
  'chat.empty': 'No messages yet',
  'chat.newMessages': '{count} new',
  'chat.jumpToLatest': 'Jump to the latest messages',

  'sys.status': 'Room status changed to {status}',
  'sys.muted': '{user} was muted until {time}',
  'sys.mutedPermanent': '{user} was muted permanently',
  'sys.unmuted': '{user} was unmuted',
  'sys.kicked': '{user} was kicked and blocked',
  'sys.joinRefused': '{user} tried to join but is blocked',

  'gifts.title': 'Gifts',
  'gifts.top': 'Top gifters',
  'gifts.empty': 'No gifts yet',
  'gifts.coins': '{amount} coins',
  'gifts.gifted': 'sent',

  'members.title': 'Members',
  'members.joined': 'Recently joined',
  'members.muted': 'Muted',
  'members.blocked': 'Blocked',
  'members.none': 'None',
  'members.unmute': 'Unmute',
  'members.permanent': 'Permanent',
  'members.remaining': '{time} left',

  'card.title': 'User',
  'card.close': 'Close',
  'card.duration': 'Mute duration',
  'card.mute': 'Mute',
  'card.unmute': 'Unmute',
  'card.kick': 'Kick',
  'card.muted': 'Muted · {time} left',
  'card.mutedPermanent': 'Muted permanently',
  'card.notMuted': 'Not muted',
  'card.blocked': 'Blocked from the room',
  'card.working': 'Working…',

  'duration.10': '10 seconds',
  'duration.60': '1 minute',
  'duration.600': '10 minutes',
  'duration.3600': '1 hour',
  'duration.86400': '24 hours',
  'duration.permanent': 'Permanent',

  'error.unknown': 'Something went wrong',
} as const;

export type MessageKey = keyof typeof en;
export type Catalogue = Readonly<Record<MessageKey, string>>;

const zh: Catalogue = {
  'app.name': 'AnchorDesk',
  'app.roomFallback': '直播间',

  'header.groupId': '群组 {id}',
  'header.mode.sandbox': '沙盒',
  'header.mode.tencent': '腾讯云 IM',
  'header.version': '版本 {version}',
  'header.online': '在线',
  'header.likes': '点赞',
  'header.language': '语言',
  'header.theme.toDark': '切换到深色主题',
  'header.theme.toLight': '切换到浅色主题',

  'conn.connecting': '连接中',
  'conn.connected': '已连接',
  'conn.error': '错误',
  'conn.waitingRoom': '正在连接直播间…',
  'conn.failed': '无法打开直播间',
  'conn.retry': '重试',

  'status.upcoming': '未开播',
  'status.live': '直播中',
  'status.paused': '已暂停',
  'status.ended': '已结束',
  'status.replay': '回放',
  'status.label': '直播间状态',
  'status.toggle': '直播间状态：{status}',
  'status.current': '当前',
  'status.saving': '更新中…',
  'status.notAllowed': '无法从「{status}」切换',

  'chat.title': '弹幕',
  'chat.empty': '暂无消息',
  'chat.newMessages': '{count} 条新消息',
  'chat.jumpToLatest': '跳到最新消息',

  'sys.status': '直播间状态已变为「{status}」',
  'sys.muted': '{user} 已被禁言至 {time}',
  'sys.mutedPermanent': '{user} 已被永久禁言',
  'sys.unmuted': '{user} 已被解除禁言',
  'sys.kicked': '{user} 已被踢出并拉黑',
  'sys.joinRefused': '{user} 尝试进入，但已被拉黑',

  'gifts.title': '礼物',
  'gifts.top': '送礼榜',
  'gifts.empty': '暂无礼物',
  'gifts.coins': '{amount} 金币',
  'gifts.gifted': '送出',

  'members.title': '成员',
  'members.joined': '最近进入',
  'members.muted': '已禁言',
  'members.blocked': '已拉黑',
  'members.none': '无',
  'members.unmute': '解除禁言',
  'members.permanent': '永久',
  'members.remaining': '剩余 {time}',

  'card.title': '用户',
  'card.close': '关闭',
  'card.duration': '禁言时长',
  'card.mute': '禁言',
  'card.unmute': '解除禁言',
  'card.kick': '踢出',
  'card.muted': '已禁言 · 剩余 {time}',
  'card.mutedPermanent': '已永久禁言',
  'card.notMuted': '未禁言',
  'card.blocked': '已被禁止进入直播间',
  'card.working': '处理中…',

  'duration.10': '10 秒',
  'duration.60': '1 分钟',
  'duration.600': '10 分钟',
  'duration.3600': '1 小时',
  'duration.86400': '24 小时',
  'duration.permanent': '永久',

  'error.unknown': '出现未知错误',
};

const ko: Catalogue = {
  'app.name': 'AnchorDesk',
  'app.roomFallback': '라이브 방',

  'header.groupId': '그룹 {id}',
  'header.mode.sandbox': '샌드박스',
  'header.mode.tencent': 'Tencent IM',
  'header.version': '버전 {version}',
  'header.online': '접속',
  'header.likes': '좋아요',
  'header.language': '언어',
  'header.theme.toDark': '어두운 테마로 전환',
  'header.theme.toLight': '밝은 테마로 전환',

  'conn.connecting': '연결 중',
  'conn.connected': '연결됨',
  'conn.error': '오류',
  'conn.waitingRoom': '방에 연결하는 중…',
  'conn.failed': '방을 열 수 없습니다',
  'conn.retry': '다시 시도',

  'status.upcoming': '방송 예정',
  'status.live': '방송 중',
  'status.paused': '일시 정지',
  'status.ended': '종료',
  'status.replay': '다시 보기',
  'status.label': '방 상태',
  'status.toggle': '방 상태: {status}',
  'status.current': '현재',
  'status.saving': '변경 중…',
  'status.notAllowed': '‘{status}’에서는 바꿀 수 없음',

  'chat.title': '채팅',
  'chat.empty': '아직 메시지가 없습니다',
  'chat.newMessages': '새 메시지 {count}개',
  'chat.jumpToLatest': '최신 메시지로 이동',

  'sys.status': '방 상태가 ‘{status}’(으)로 바뀌었습니다',
  'sys.muted': '{user} 님이 {time}까지 채팅 금지되었습니다',
  'sys.mutedPermanent': '{user} 님이 영구 채팅 금지되었습니다',
  'sys.unmuted': '{user} 님의 채팅 금지가 해제되었습니다',
  'sys.kicked': '{user} 님이 강퇴 및 차단되었습니다',
  'sys.joinRefused': '차단된 {user} 님이 입장을 시도했습니다',

  'gifts.title': '선물',
  'gifts.top': '선물 랭킹',
  'gifts.empty': '아직 선물이 없습니다',
  'gifts.coins': '{amount} 코인',
  'gifts.gifted': '보냄',

  'members.title': '멤버',
  'members.joined': '최근 입장',
  'members.muted': '채팅 금지',
  'members.blocked': '차단됨',
  'members.none': '없음',
  'members.unmute': '해제',
  'members.permanent': '영구',
  'members.remaining': '{time} 남음',

  'card.title': '사용자',
  'card.close': '닫기',
  'card.duration': '채팅 금지 시간',
  'card.mute': '채팅 금지',
  'card.unmute': '금지 해제',
  'card.kick': '강퇴',
  'card.muted': '채팅 금지 · {time} 남음',
  'card.mutedPermanent': '영구 채팅 금지',
  'card.notMuted': '채팅 금지 아님',
  'card.blocked': '방에서 차단됨',
  'card.working': '처리 중…',

  'duration.10': '10초',
  'duration.60': '1분',
  'duration.600': '10분',
  'duration.3600': '1시간',
  'duration.86400': '24시간',
  'duration.permanent': '영구',

  'error.unknown': '알 수 없는 오류가 발생했습니다',
};

const ja: Catalogue = {
  'app.name': 'AnchorDesk',
  'app.roomFallback': 'ライブルーム',

  'header.groupId': 'グループ {id}',
  'header.mode.sandbox': 'サンドボックス',
  'header.mode.tencent': 'Tencent IM',
  'header.version': 'バージョン {version}',
  'header.online': 'オンライン',
  'header.likes': 'いいね',
  'header.language': '言語',
  'header.theme.toDark': 'ダークテーマに切り替え',
  'header.theme.toLight': 'ライトテーマに切り替え',

  'conn.connecting': '接続中',
  'conn.connected': '接続済み',
  'conn.error': 'エラー',
  'conn.waitingRoom': 'ルームに接続しています…',
  'conn.failed': 'ルームを開けませんでした',
  'conn.retry': '再試行',

  'status.upcoming': '配信予定',
  'status.live': '配信中',
  'status.paused': '一時停止',
  'status.ended': '終了',
  'status.replay': 'アーカイブ',
  'status.label': 'ルームの状態',
  'status.toggle': 'ルームの状態：{status}',
  'status.current': '現在',
  'status.saving': '更新中…',
  'status.notAllowed': '「{status}」からは変更できません',

  'chat.title': 'チャット',
  'chat.empty': 'まだメッセージはありません',
  'chat.newMessages': '新着 {count} 件',
  'chat.jumpToLatest': '最新のメッセージへ移動',

  'sys.status': 'ルームの状態が「{status}」になりました',
  'sys.muted': '{user} さんを {time} までミュートしました',
  'sys.mutedPermanent': '{user} さんを無期限でミュートしました',
  'sys.unmuted': '{user} さんのミュートを解除しました',
  'sys.kicked': '{user} さんをキックしてブロックしました',
  'sys.joinRefused': 'ブロック中の {user} さんが入室しようとしました',

  'gifts.title': 'ギフト',
  'gifts.top': 'ギフトランキング',
  'gifts.empty': 'まだギフトはありません',
  'gifts.coins': '{amount} コイン',
  'gifts.gifted': '贈呈',

  'members.title': 'メンバー',
  'members.joined': '最近の入室',
  'members.muted': 'ミュート中',
  'members.blocked': 'ブロック中',
  'members.none': 'なし',
  'members.unmute': '解除',
  'members.permanent': '無期限',
  'members.remaining': '残り {time}',

  'card.title': 'ユーザー',
  'card.close': '閉じる',
  'card.duration': 'ミュート時間',
  'card.mute': 'ミュート',
  'card.unmute': 'ミュート解除',
  'card.kick': 'キック',
  'card.muted': 'ミュート中 · 残り {time}',
  'card.mutedPermanent': '無期限ミュート中',
  'card.notMuted': 'ミュートされていません',
  'card.blocked': 'ルームからブロック中',
  'card.working': '処理中…',

  'duration.10': '10 秒',
  'duration.60': '1 分',
  'duration.600': '10 分',
  'duration.3600': '1 時間',
  'duration.86400': '24 時間',
  'duration.permanent': '無期限',

  'error.unknown': '不明なエラーが発生しました',
};

export const CATALOGUES: Readonly<Record<Lang, Catalogue>> = { en, zh, ko, ja };

export type Params = Readonly<Record<string, string | number>>;

/** `{name}` placeholders in a template, in order of appearance. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
}

/** The message for `key` in `lang`, with `{name}` replaced from `params` (unknown names kept). */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const template = CATALOGUES[lang][key] ?? en[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export type Part = { text: string } | { param: string };

/**
 * The message split around the placeholders named in `slots` (e.g. a user name rendered as a
 * button), the rest interpolated from `params`. Word order stays the translator's.
 */
export function translateParts(
  lang: Lang,
  key: MessageKey,
  slots: readonly string[],
  params?: Params,
): Part[] {
  const template = CATALOGUES[lang][key] ?? en[key];
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    const name = m[1];
    if (!slots.includes(name)) continue;
    const before = template.slice(last, m.index);
    if (before) parts.push({ text: before });
    parts.push({ param: name });
    last = m.index + m[0].length;
  }
  const rest = template.slice(last);
  if (rest) parts.push({ text: rest });
  return parts.map((p) =>
    'text' in p && params
      ? { text: p.text.replace(/\{(\w+)\}/g, (w, n: string) => (n in params ? String(params[n]) : w)) }
      : p,
  );
}

/**
 * The first supported language among the browser's preferences (`navigator.languages`, or
 * `navigator.language`): any `zh-*` (Simplified or Traditional) → zh, `ko-*` → ko, `ja-*` → ja,
 * `en-*` → en; nothing supported → en.
 */
export function detectLanguage(preferred: string | readonly string[] | undefined | null): Lang {
  const list = typeof preferred === 'string' ? [preferred] : (preferred ?? []);
  for (const tag of list) {
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
    if ((LANGS as readonly string[]).includes(primary)) return primary as Lang;
  }
  return 'en';
}

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

export const LANG_STORAGE_KEY = 'anchordesk.lang';

/** Stored choice first, then the browser's preference. Storage failures fall back silently. */
export function initialLanguage(
  storage: Pick<Storage, 'getItem'> | null | undefined,
  nav: { language?: string; languages?: readonly string[] } | null | undefined,
): Lang {
  try {
    const stored = storage?.getItem(LANG_STORAGE_KEY);
    if (isLang(stored)) return stored;
  } catch {
    // storage unavailable (private mode, sandboxed iframe): use the browser's language
  }
  const prefs = nav?.languages && nav.languages.length > 0 ? nav.languages : nav?.language;
  return detectLanguage(prefs);
}
