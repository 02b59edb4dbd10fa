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
  'sys.unblocked': '{user} was unblocked',

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
  'members.unblock': 'Unblock',

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
  'card.reason': 'Reason',
  'card.reasonPlaceholder': 'Optional; kept in the audit log',
  'card.banDuration': 'Ban duration',
  'card.ban': 'Ban',
  'card.unban': 'Unban',
  'card.unblock': 'Unblock',

  'duration.10': '10 seconds',
  'duration.60': '1 minute',
  'duration.600': '10 minutes',
  'duration.3600': '1 hour',
  'duration.86400': '24 hours',
  'duration.permanent': 'Permanent',
  'duration.eos': 'Until the end of this stream',
  'duration.604800': '7 days',
  'duration.2592000': '30 days',

  'tabs.label': 'Side panels',
  'tabs.gifts': 'Gifts',
  'tabs.held': 'Held',
  'tabs.heldCount': '{count} held for review',
  'tabs.moderation': 'Moderation',
  'tabs.audit': 'Audit',
  'tabs.words': 'Words',

  'held.title': 'Held for review',
  'held.empty': 'Nothing is waiting for review',
  'held.approve': 'Approve',
  'held.reject': 'Reject',
  'mod.rule': 'Rule: {pattern}',

  'drops.title': 'Dropped by the 40/s limit (last hour)',
  'drops.line': 'High {high} · Normal {normal} · Low {low} (dropped/sent)',
  'filtered.title': 'Filtered messages',
  'wordAction.deliver': 'Delivered',
  'wordAction.hold': 'Held',
  'wordAction.drop': 'Dropped',
  'wordAction.refuse': 'Refused',

  'audit.title': 'Audit log',
  'audit.searchLabel': 'Search the audit log',
  'audit.search': 'Search actor, user, detail or reason',
  'audit.searching': 'Searching…',
  'audit.results': '{count} matching lines',
  'audit.empty': 'No actions recorded yet',
  'audit.noResults': 'No matching lines',
  'audit.exportCsv': 'Export CSV',
  'audit.exportJson': 'Export JSON',
  'audit.undo': 'Undo',
  'audit.undone': 'Undone',
  'audit.reason': 'Reason: {reason}',
  'auditAction.mute': 'Mute',
  'auditAction.unmute': 'Unmute',
  'auditAction.kick': 'Kick',
  'auditAction.unblock': 'Unblock',
  'auditAction.ban': 'Ban',
  'auditAction.unban': 'Unban',
  'auditAction.status': 'Status',
  'auditAction.notice': 'Notice',
  'header.notice': 'Notice: {notice}',
  'header.onlineTrend': 'Online over the last hour',
  'auditAction.words': 'Word list',
  'auditAction.approve': 'Approve',
  'auditAction.reject': 'Reject',
  'dur.days': '{n} d',
  'dur.hours': '{n} h',
  'dur.minutes': '{n} min',
  'dur.seconds': '{n} s',

  'words.title': 'Word list',
  'words.count': '{count} rules in force',
  'words.textLabel': 'Word list, one rule per line',
  'words.help': 'One rule per line: a word or phrase, optionally a Tab and deliver, hold, drop or refuse (default refuse). Lines starting with # are comments.',
  'words.loading': 'Loading…',
  'words.load': 'Reload',
  'words.save': 'Save',
  'words.import': 'Import file',
  'words.export': 'Export',
  'words.saved': 'Saved: {count} rules in force',
  'words.imported': 'Loaded {name}; check it, then Save',
  'words.unsaved': 'Unsaved changes',

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
  'sys.unblocked': '{user} 已被解除拉黑',

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
  'members.unblock': '解除拉黑',

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
  'card.reason': '原因',
  'card.reasonPlaceholder': '可选，将记入审计日志',
  'card.banDuration': '封禁时长',
  'card.ban': '封禁',
  'card.unban': '解除封禁',
  'card.unblock': '解除拉黑',

  'duration.10': '10 秒',
  'duration.60': '1 分钟',
  'duration.600': '10 分钟',
  'duration.3600': '1 小时',
  'duration.86400': '24 小时',
  'duration.permanent': '永久',
  'duration.eos': '直到本场直播结束',
  'duration.604800': '7 天',
  'duration.2592000': '30 天',

  'tabs.label': '侧边面板',
  'tabs.gifts': '礼物',
  'tabs.held': '待审',
  'tabs.heldCount': '{count} 条待审核',
  'tabs.moderation': '管理',
  'tabs.audit': '审计',
  'tabs.words': '敏感词',

  'held.title': '待审核消息',
  'held.empty': '没有待审核的消息',
  'held.approve': '通过',
  'held.reject': '拒绝',
  'mod.rule': '规则：{pattern}',

  'drops.title': '因每秒 40 条上限丢弃（近一小时）',
  'drops.line': '高 {high} · 普通 {normal} · 低 {low}（丢弃/发送）',
  'filtered.title': '被拦截的消息',
  'wordAction.deliver': '已放行',
  'wordAction.hold': '已暂扣',
  'wordAction.drop': '已丢弃',
  'wordAction.refuse': '已拒绝',

  'audit.title': '审计日志',
  'audit.searchLabel': '搜索审计日志',
  'audit.search': '搜索操作人、用户、详情或原因',
  'audit.searching': '搜索中…',
  'audit.results': '{count} 条匹配记录',
  'audit.empty': '暂无操作记录',
  'audit.noResults': '没有匹配的记录',
  'audit.exportCsv': '导出 CSV',
  'audit.exportJson': '导出 JSON',
  'audit.undo': '撤销',
  'audit.undone': '已撤销',
  'audit.reason': '原因：{reason}',
  'auditAction.mute': '禁言',
  'auditAction.unmute': '解除禁言',
  'auditAction.kick': '踢出',
  'auditAction.unblock': '解除拉黑',
  'auditAction.ban': '封禁',
  'auditAction.unban': '解除封禁',
  'auditAction.status': '状态',
  'auditAction.notice': '公告',
  'header.notice': '公告：{notice}',
  'header.onlineTrend': '近一小时在线人数',
  'auditAction.words': '敏感词',
  'auditAction.approve': '通过',
  'auditAction.reject': '拒绝',
  'dur.days': '{n} 天',
  'dur.hours': '{n} 小时',
  'dur.minutes': '{n} 分钟',
  'dur.seconds': '{n} 秒',

  'words.title': '敏感词列表',
  'words.count': '生效规则 {count} 条',
  'words.textLabel': '敏感词列表，每行一条规则',
  'words.help': '每行一条规则：词语或短语，可在 Tab 后加 deliver、hold、drop 或 refuse（默认 refuse）。以 # 开头的行为注释。',
  'words.loading': '载入中…',
  'words.load': '重新载入',
  'words.save': '保存',
  'words.import': '导入文件',
  'words.export': '导出',
  'words.saved': '已保存：生效规则 {count} 条',
  'words.imported': '已载入 {name}，请检查后保存',
  'words.unsaved': '有未保存的修改',

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
  'sys.unblocked': '{user} 님의 차단이 해제되었습니다',

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
  'members.unblock': '차단 해제',

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
  'card.reason': '사유',
  'card.reasonPlaceholder': '선택 사항, 감사 로그에 기록됩니다',
  'card.banDuration': '정지 기간',
  'card.ban': '정지',
  'card.unban': '정지 해제',
  'card.unblock': '차단 해제',

  'duration.10': '10초',
  'duration.60': '1분',
  'duration.600': '10분',
  'duration.3600': '1시간',
  'duration.86400': '24시간',
  'duration.permanent': '영구',
  'duration.eos': '이번 방송이 끝날 때까지',
  'duration.604800': '7일',
  'duration.2592000': '30일',

  'tabs.label': '사이드 패널',
  'tabs.gifts': '선물',
  'tabs.held': '보류',
  'tabs.heldCount': '검토 대기 {count}개',
  'tabs.moderation': '관리',
  'tabs.audit': '감사',
  'tabs.words': '금칙어',

  'held.title': '검토 대기 메시지',
  'held.empty': '검토할 메시지가 없습니다',
  'held.approve': '승인',
  'held.reject': '거부',
  'mod.rule': '규칙: {pattern}',

  'drops.title': '초당 40개 제한으로 버려진 메시지 (최근 1시간)',
  'drops.line': '높음 {high} · 보통 {normal} · 낮음 {low} (버림/보냄)',
  'filtered.title': '걸러진 메시지',
  'wordAction.deliver': '전달됨',
  'wordAction.hold': '보류됨',
  'wordAction.drop': '삭제됨',
  'wordAction.refuse': '거부됨',

  'audit.title': '감사 로그',
  'audit.searchLabel': '감사 로그 검색',
  'audit.search': '실행자, 사용자, 내용, 사유 검색',
  'audit.searching': '검색 중…',
  'audit.results': '일치하는 기록 {count}개',
  'audit.empty': '기록된 조치가 없습니다',
  'audit.noResults': '일치하는 기록이 없습니다',
  'audit.exportCsv': 'CSV 내보내기',
  'audit.exportJson': 'JSON 내보내기',
  'audit.undo': '되돌리기',
  'audit.undone': '되돌림',
  'audit.reason': '사유: {reason}',
  'auditAction.mute': '채팅 금지',
  'auditAction.unmute': '금지 해제',
  'auditAction.kick': '강퇴',
  'auditAction.unblock': '차단 해제',
  'auditAction.ban': '정지',
  'auditAction.unban': '정지 해제',
  'auditAction.status': '상태',
  'auditAction.notice': '공지',
  'header.notice': '공지: {notice}',
  'header.onlineTrend': '최근 1시간 접속자 수',
  'auditAction.words': '금칙어',
  'auditAction.approve': '승인',
  'auditAction.reject': '거부',
  'dur.days': '{n}일',
  'dur.hours': '{n}시간',
  'dur.minutes': '{n}분',
  'dur.seconds': '{n}초',

  'words.title': '금칙어 목록',
  'words.count': '적용 중인 규칙 {count}개',
  'words.textLabel': '금칙어 목록, 한 줄에 규칙 하나',
  'words.help': '한 줄에 규칙 하나: 단어나 구절 뒤에 Tab과 deliver, hold, drop, refuse 중 하나를 붙일 수 있습니다(기본값 refuse). #으로 시작하는 줄은 주석입니다.',
  'words.loading': '불러오는 중…',
  'words.load': '다시 불러오기',
  'words.save': '저장',
  'words.import': '파일 가져오기',
  'words.export': '내보내기',
  'words.saved': '저장됨: 적용 중인 규칙 {count}개',
  'words.imported': '{name}을(를) 불러왔습니다. 확인 후 저장하세요',
  'words.unsaved': '저장하지 않은 변경 사항',

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
  'sys.unblocked': '{user} さんのブロックを解除しました',

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
  'members.unblock': 'ブロック解除',

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
  'card.reason': '理由',
  'card.reasonPlaceholder': '任意・監査ログに記録されます',
  'card.banDuration': '入室禁止の期間',
  'card.ban': '入室禁止',
  'card.unban': '入室禁止を解除',
  'card.unblock': 'ブロック解除',

  'duration.10': '10 秒',
  'duration.60': '1 分',
  'duration.600': '10 分',
  'duration.3600': '1 時間',
  'duration.86400': '24 時間',
  'duration.permanent': '無期限',
  'duration.eos': 'この配信が終わるまで',
  'duration.604800': '7 日',
  'duration.2592000': '30 日',

  'tabs.label': 'サイドパネル',
  'tabs.gifts': 'ギフト',
  'tabs.held': '保留',
  'tabs.heldCount': '確認待ち {count} 件',
  'tabs.moderation': '管理',
  'tabs.audit': '監査',
  'tabs.words': 'NGワード',

  'held.title': '確認待ちのメッセージ',
  'held.empty': '確認待ちのメッセージはありません',
  'held.approve': '承認',
  'held.reject': '却下',
  'mod.rule': 'ルール：{pattern}',

  'drops.title': '毎秒40件の上限で破棄（直近1時間）',
  'drops.line': '高 {high} · 通常 {normal} · 低 {low}（破棄/送信）',
  'filtered.title': 'フィルタされたメッセージ',
  'wordAction.deliver': '通過',
  'wordAction.hold': '保留',
  'wordAction.drop': '破棄',
  'wordAction.refuse': '拒否',

  'audit.title': '監査ログ',
  'audit.searchLabel': '監査ログを検索',
  'audit.search': '実行者・ユーザー・内容・理由で検索',
  'audit.searching': '検索中…',
  'audit.results': '一致する記録 {count} 件',
  'audit.empty': 'まだ操作の記録はありません',
  'audit.noResults': '一致する記録はありません',
  'audit.exportCsv': 'CSV で書き出し',
  'audit.exportJson': 'JSON で書き出し',
  'audit.undo': '取り消す',
  'audit.undone': '取り消し済み',
  'audit.reason': '理由：{reason}',
  'auditAction.mute': 'ミュート',
  'auditAction.unmute': 'ミュート解除',
  'auditAction.kick': 'キック',
  'auditAction.unblock': 'ブロック解除',
  'auditAction.ban': '入室禁止',
  'auditAction.unban': '入室禁止解除',
  'auditAction.status': '状態',
  'auditAction.notice': 'お知らせ',
  'header.notice': 'お知らせ：{notice}',
  'header.onlineTrend': '直近1時間の視聴者数',
  'auditAction.words': 'NGワード',
  'auditAction.approve': '承認',
  'auditAction.reject': '却下',
  'dur.days': '{n} 日',
  'dur.hours': '{n} 時間',
  'dur.minutes': '{n} 分',
  'dur.seconds': '{n} 秒',

  'words.title': 'NGワード一覧',
  'words.count': '有効なルール {count} 件',
  'words.textLabel': 'NGワード一覧（1 行に 1 ルール）',
  'words.help': '1 行に 1 ルール：語句の後に Tab と deliver・hold・drop・refuse のいずれかを付けられます（既定は refuse）。# で始まる行はコメントです。',
  'words.loading': '読み込み中…',
  'words.load': '再読み込み',
  'words.save': '保存',
  'words.import': 'ファイルを読み込む',
  'words.export': '書き出し',
  'words.saved': '保存しました：有効なルール {count} 件',
  'words.imported': '{name} を読み込みました。確認して保存してください',
  'words.unsaved': '未保存の変更があります',

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
