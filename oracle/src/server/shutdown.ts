/**
 * Clean exit on SIGTERM/SIGINT: stop accepting, drain in-flight requests within a bound, then release resources
 * (the store last, after nothing can write to it any more).
 */
import type { Logger } from "../log/index.js";
import type { OracleHttpServer, ShutdownResult } from "./server.js";

export interface GracefulShutdownOptions {
  server: OracleHttpServer;
  log: Logger;
  drainTimeoutMs: number;
  /** Closed in order after the server has drained, e.g. `() => store.close()`. */
  closers?: readonly { name: string; close: () => void | Promise<void> }[];
  signals?: readonly NodeJS.Signals[];
  /** The process (injectable so tests can send a signal without ending the test runner). */
  target?: Pick<NodeJS.Process, "once" | "off">;
}

/**
 * Installs the handlers; returns `{ shutdown, uninstall }`. `shutdown` may also be called directly and runs only
 * once; later signals get the same promise.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): {
  shutdown: (reason: string) => Promise<ShutdownResult>;
  uninstall: () => void;
} {
  const target = options.target ?? process;
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  let running: Promise<ShutdownResult> | undefined;

  const shutdown = (reason: string): Promise<ShutdownResult> => {
    running ??= (async () => {
      options.log.info(
        { reason, inFlight: options.server.inFlight, drainTimeoutMs: options.drainTimeoutMs },
        "shutting down",
      );
      const result = await options.server.shutdown(options.drainTimeoutMs);
      if (!result.drained)
        options.log.warn({ abandoned: result.abandoned }, "drain bound reached; closed remaining connections");
      for (const closer of options.closers ?? []) {
        try {
          await closer.close();
        } catch (error) {
          // Keep closing the rest: one failed resource must not leave the store open.
          options.log.error({ err: error, resource: closer.name }, "failed to close resource");
        }
      }
      options.log.info(result, "shut down");
      return result;
    })();
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => void shutdown(signal);
  for (const signal of signals) target.once(signal, onSignal);
  return { shutdown, uninstall: () => signals.forEach((signal) => target.off(signal, onSignal)) };
}
