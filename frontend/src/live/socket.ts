/**
 * Client of the live layer (`/ws/`, DESIGN.md §7).
 *
 * Protocol:
 *   client → server  {"action":"subscribe","topic":T}  /  {"action":"unsubscribe","topic":T}
 *   server → client  {"type":"subscribed","topic":T,"seq":N}   (N = topic's last seq, 0 if none)
 *                    {"type":"unsubscribed","topic":T}
 *                    {"type":"subscribe_error","topic":T,"code":"forbidden"|"bad_topic","message":M}
 *                    {"topic":T,"seq":N,"type":"<event type>","data":{...}}   (any other type = event)
 *   Anonymous connections are closed with code 4401.
 *
 * What this class does:
 * - reference-counts subscriptions: many subscribers of one topic = one server subscription;
 *   the server unsubscribe is sent when the last subscriber leaves;
 * - reconnects after a drop with capped exponential backoff and re-subscribes every active topic;
 * - tracks the last seq per topic and calls each subscriber's `onGap(topic)` when an event's seq is not
 *   last+1, and after a reconnect when the server's current seq differs from the last one seen
 *   (events were missed while offline) — the subscriber then refetches.
 */

export type LiveStatus = 'connecting' | 'open' | 'offline';

export interface LiveEvent<D = unknown> {
  topic: string;
  seq: number;
  type: string;
  data: D;
}

export interface SubscribeError {
  topic: string;
  code: string;
  message: string;
}

export interface TopicHandlers {
  onEvent?: (event: LiveEvent) => void;
  /** Events may have been missed: refetch what this topic describes. */
  onGap?: (topic: string) => void;
  onError?: (error: SubscribeError) => void;
}

/** The part of the browser WebSocket this client uses (lets tests pass a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export const WS_OPEN = 1;
/** Close code the server uses for anonymous connections. */
export const CLOSE_NOT_AUTHENTICATED = 4401;

// ---------------------------------------------------------------- pure helpers

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** 0..1: the delay is scaled by a random factor in [1 - jitter, 1]. */
  jitter?: number;
  random?: () => number;
}

/** Delay before reconnect attempt number `attempt` (0-based): base·2^attempt, capped at max. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = 500, maxMs = 10_000, jitter = 0, random = Math.random } = options;
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  if (jitter <= 0) return exp;
  const factor = 1 - Math.min(1, jitter) * random();
  return Math.round(exp * factor);
}

/** `ws://host/ws/` or `wss://host/ws/` matching the page's protocol. */
export function wsUrlFor(location: { protocol: string; host: string }, path = '/ws/'): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}

export type ServerMessage =
  | { kind: 'subscribed'; topic: string; seq: number }
  | { kind: 'unsubscribed'; topic: string }
  | { kind: 'subscribe_error'; topic: string; code: string; message: string }
  | { kind: 'event'; event: LiveEvent };

/** Parse one frame from the server; null when it is not a message this client understands. */
export function parseServerMessage(raw: unknown): ServerMessage | null {
  let msg: unknown = raw;
  if (typeof raw === 'string') {
    try {
      msg = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (!msg || typeof msg !== 'object') return null;
  const m = msg as Record<string, unknown>;
  if (typeof m.topic !== 'string' || typeof m.type !== 'string') return null;
  switch (m.type) {
    case 'subscribed':
      return { kind: 'subscribed', topic: m.topic, seq: typeof m.seq === 'number' ? m.seq : 0 };
    case 'unsubscribed':
      return { kind: 'unsubscribed', topic: m.topic };
    case 'subscribe_error':
      return {
        kind: 'subscribe_error',
        topic: m.topic,
        code: typeof m.code === 'string' ? m.code : 'error',
        message: typeof m.message === 'string' ? m.message : 'Subscription refused.',
      };
    default:
      if (typeof m.seq !== 'number') return null;
      return { kind: 'event', event: { topic: m.topic, seq: m.seq, type: m.type, data: m.data ?? null } };
  }
}

export type SeqVerdict = 'first' | 'next' | 'gap' | 'duplicate';

/** How an incoming event's seq relates to the last one seen on its topic. */
export function classifySeq(lastSeq: number | null, seq: number): SeqVerdict {
  if (lastSeq === null) return 'first';
  if (seq === lastSeq + 1) return 'next';
  if (seq > lastSeq + 1) return 'gap';
  return 'duplicate';
}

// ---------------------------------------------------------------- the client

interface Subscriber {
  handlers: TopicHandlers;
}

type TopicState = 'idle' | 'pending' | 'subscribed' | 'error';

interface TopicEntry {
  subscribers: Set<Subscriber>;
  /** Last seq seen (from `subscribed` or an event); null before the first. */
  lastSeq: number | null;
  state: TopicState;
  /** A subscribe was sent on an earlier connection (so the next `subscribed` follows a reconnect). */
  sentBefore: boolean;
  /** The pending `subscribed` reply is for a re-subscription after a reconnect. */
  resubscribing: boolean;
}

export interface LiveSocketOptions {
  /** URL or a function giving it at each connection attempt. */
  url: string | (() => string);
  createSocket?: (url: string) => WebSocketLike;
  baseDelayMs?: number;
  maxDelayMs?: number;
  jitter?: number;
  random?: () => number;
  /** The server closed with 4401 (not authenticated). No reconnect follows until `connect()`. */
  onUnauthorized?: () => void;
  logger?: Pick<Console, 'error'>;
}

export class LiveSocket {
  private readonly options: LiveSocketOptions;
  private ws: WebSocketLike | null = null;
  private readonly topics = new Map<string, TopicEntry>();
  private readonly statusListeners = new Set<() => void>();
  private currentStatus: LiveStatus = 'offline';
  private wanted = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryAt: number | null = null;

  constructor(options: LiveSocketOptions) {
    this.options = options;
  }

  // ----- connection

  get status(): LiveStatus {
    return this.currentStatus;
  }

  /** When the next reconnect attempt is due (ms since epoch), null when none is scheduled. */
  get nextRetryAt(): number | null {
    return this.retryAt;
  }

  /** Start (or keep) a connection; reconnects automatically until `disconnect()`. */
  connect(): void {
    this.wanted = true;
    if (this.ws) return;
    this.clearRetry();
    this.open();
  }

  /** Close the connection and stop reconnecting. Subscriptions are kept for the next `connect()`. */
  disconnect(): void {
    this.wanted = false;
    this.clearRetry();
    const ws = this.ws;
    this.ws = null;
    this.markTopicsIdle();
    this.attempt = 0;
    if (ws) {
      try {
        ws.close(1000, 'client disconnect');
      } catch {
        /* already closed */
      }
    }
    this.setStatus('offline');
  }

  /** If waiting to reconnect, try now (e.g. the browser came back online). */
  reconnectNow(): void {
    if (!this.wanted || this.ws) return;
    this.clearRetry();
    this.open();
  }

  onStatusChange(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => {
      this.statusListeners.delete(listener);
    };
  }

  // ----- subscriptions

  /** Subscribe to a topic; returns the unsubscribe function (idempotent). */
  subscribe(topic: string, handlers: TopicHandlers): () => void {
    const subscriber: Subscriber = { handlers };
    let entry = this.topics.get(topic);
    if (!entry) {
      entry = { subscribers: new Set(), lastSeq: null, state: 'idle', sentBefore: false, resubscribing: false };
      this.topics.set(topic, entry);
    }
    entry.subscribers.add(subscriber);
    if (this.isOpen() && (entry.state === 'idle' || entry.state === 'error')) {
      this.sendSubscribe(topic, entry, false);
    }
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.removeSubscriber(topic, subscriber);
    };
  }

  /** Number of local subscribers of a topic (0 when none). */
  subscriberCount(topic: string): number {
    return this.topics.get(topic)?.subscribers.size ?? 0;
  }

  /** Topics with at least one subscriber. */
  activeTopics(): string[] {
    return [...this.topics.keys()];
  }

  lastSeq(topic: string): number | null {
    return this.topics.get(topic)?.lastSeq ?? null;
  }

  // ----- internals

  private isOpen(): boolean {
    return this.ws !== null && this.ws.readyState === WS_OPEN && this.currentStatus === 'open';
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    for (const listener of [...this.statusListeners]) {
      try {
        listener();
      } catch (err) {
        this.logError(err);
      }
    }
  }

  private logError(err: unknown): void {
    (this.options.logger ?? console).error(err);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryAt = null;
  }

  private markTopicsIdle(): void {
    for (const entry of this.topics.values()) {
      entry.state = 'idle';
      entry.resubscribing = false;
    }
  }

  private open(): void {
    const url = typeof this.options.url === 'function' ? this.options.url() : this.options.url;
    const create = this.options.createSocket ?? ((u: string) => new WebSocket(u) as unknown as WebSocketLike);
    this.setStatus('connecting');
    let ws: WebSocketLike;
    try {
      ws = create(url);
    } catch (err) {
      this.logError(err);
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.handleOpen();
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.handleMessage(ev.data);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.handleClose(ev.code);
    };
    ws.onerror = () => {
      /* a close event follows */
    };
  }

  private handleOpen(): void {
    this.attempt = 0;
    this.setStatus('open');
    for (const [topic, entry] of this.topics) {
      this.sendSubscribe(topic, entry, entry.sentBefore);
    }
  }

  private handleClose(code: number): void {
    this.ws = null;
    this.markTopicsIdle();
    this.setStatus('offline');
    if (code === CLOSE_NOT_AUTHENTICATED) {
      this.wanted = false;
      this.options.onUnauthorized?.();
      return;
    }
    if (this.wanted) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.ws = null;
    this.setStatus('offline');
    if (!this.wanted) return;
    const delay = backoffDelay(this.attempt, {
      baseMs: this.options.baseDelayMs,
      maxMs: this.options.maxDelayMs,
      jitter: this.options.jitter,
      random: this.options.random,
    });
    this.attempt += 1;
    this.clearRetry();
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retryAt = null;
      if (this.wanted && !this.ws) this.open();
    }, delay);
  }

  private send(message: object): void {
    if (!this.ws) return;
    try {
      this.ws.send(JSON.stringify(message));
    } catch (err) {
      this.logError(err);
    }
  }

  private sendSubscribe(topic: string, entry: TopicEntry, resubscribing: boolean): void {
    entry.state = 'pending';
    entry.resubscribing = resubscribing;
    entry.sentBefore = true;
    this.send({ action: 'subscribe', topic });
  }

  private removeSubscriber(topic: string, subscriber: Subscriber): void {
    const entry = this.topics.get(topic);
    if (!entry || !entry.subscribers.delete(subscriber)) return;
    if (entry.subscribers.size > 0) return;
    this.topics.delete(topic);
    if (this.isOpen() && (entry.state === 'pending' || entry.state === 'subscribed')) {
      this.send({ action: 'unsubscribe', topic });
    }
  }

  private handleMessage(raw: unknown): void {
    const msg = parseServerMessage(raw);
    if (!msg) return;
    switch (msg.kind) {
      case 'subscribed': {
        const entry = this.topics.get(msg.topic);
        if (!entry) return; // unsubscribed meanwhile
        const missed = entry.resubscribing && (entry.lastSeq === null || entry.lastSeq !== msg.seq);
        entry.resubscribing = false;
        entry.state = 'subscribed';
        entry.lastSeq = msg.seq;
        if (missed) this.notify(entry, (h) => h.onGap?.(msg.topic));
        return;
      }
      case 'unsubscribed':
        return; // the entry is already gone (or was re-created by a newer subscribe)
      case 'subscribe_error': {
        const entry = this.topics.get(msg.topic);
        if (!entry) return;
        entry.state = 'error';
        entry.resubscribing = false;
        const error: SubscribeError = { topic: msg.topic, code: msg.code, message: msg.message };
        this.notify(entry, (h) => h.onError?.(error));
        return;
      }
      case 'event': {
        const { event } = msg;
        const entry = this.topics.get(event.topic);
        if (!entry) return;
        const verdict = classifySeq(entry.lastSeq, event.seq);
        if (verdict === 'duplicate') return;
        entry.lastSeq = event.seq;
        this.notify(entry, (h) => h.onEvent?.(event));
        if (verdict === 'gap') this.notify(entry, (h) => h.onGap?.(event.topic));
        return;
      }
    }
  }

  private notify(entry: TopicEntry, call: (handlers: TopicHandlers) => void): void {
    for (const subscriber of [...entry.subscribers]) {
      if (!entry.subscribers.has(subscriber)) continue; // left during this dispatch
      try {
        call(subscriber.handlers);
      } catch (err) {
        this.logError(err);
      }
    }
  }
}
