// Types of kafkajs 2.2.4's internal request queue, as far as lib/kafka/request_queue_fix.ts and
// its test use it (kafkajs publishes no types for its internals).

/** kafkajs' per-connection queue of requests (`src/network/requestQueue/index.js`). */
declare class RequestQueue {
  constructor(options: {
    maxInFlightRequests?: number | null;
    requestTimeout: number;
    enforceRequestTimeout: boolean;
    clientId: string;
    broker: string;
    logger: {
      debug(...args: unknown[]): void;
      info(...args: unknown[]): void;
      warn(...args: unknown[]): void;
      error(...args: unknown[]): void;
    };
    isConnected?: () => boolean;
  });
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  maybeThrottle(clientSideThrottleTime: number | null): void;
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
  destroy(): void;
}

export default RequestQueue;
