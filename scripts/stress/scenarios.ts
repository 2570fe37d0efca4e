/**
 * The stress scenarios: each a seeded, replayable exogenous price path (a multiple of the start price, before any
 * fire-sale impact, see market.ts) sampled on a fixed step, plus what the feeds and the PSM's stablecoin do.
 * Paths are built step by step from a deterministic shape and seeded Gaussian noise (log-returns, sigma per step
 * scaled from an hourly volatility); the same seed gives the same path.
 */
import { Rng } from "./rng.js";

const HOUR = 3600;
const DAY = 24 * HOUR;

export interface Scenario {
  name: string;
  description: string;
  durationSec: number;
  /** Keepers act, feeds are checked and the clock moves once per step. */
  stepSec: number;
  /** Exogenous ETH/USD as a multiple of the start price at each step 0..steps (inclusive). */
  path: number[];
  /** The primary feed publishes nothing inside these windows (seconds from the start). */
  primaryOutages: { fromSec: number; toSec: number }[];
  /** The PSM stablecoin's USD price at each step (1 when undefined). */
  stablecoinUsd?: number[];
}

export const SCENARIO_NAMES = ["march-2020", "flash-crash", "slow-bleed", "feed-outage", "stablecoin-depeg"] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Shape of log-price at each step from `shape` (a multiple of the start price at time t) plus noise. */
function build(
  seed: number,
  name: string,
  durationSec: number,
  stepSec: number,
  hourlyVol: number,
  shape: (t: number) => number,
): number[] {
  const rng = new Rng(Rng.derive(seed, `path:${name}`));
  const steps = Math.round(durationSec / stepSec);
  const sigma = hourlyVol * Math.sqrt(stepSec / HOUR);
  const path: number[] = [];
  let noise = 0;
  for (let i = 0; i <= steps; i++) {
    if (i > 0) noise = 0.9 * noise + sigma * rng.normal(); // mean-reverting noise: the shape's levels are kept
    path.push(shape(i * stepSec) * Math.exp(i === 0 ? 0 : noise));
  }
  return path;
}

/** Geometric interpolation from `from` to `to` over [t0, t1]. */
const geo = (t: number, t0: number, t1: number, from: number, to: number) =>
  from * Math.pow(to / from, Math.min(1, Math.max(0, (t - t0) / (t1 - t0))));

export function buildScenario(name: ScenarioName, seed: number, options: { quick?: boolean } = {}): Scenario {
  const quick = options.quick === true;
  switch (name) {
    case "march-2020": {
      // 36 h from 1.0 to 0.5 with a -30 % hour (hours 20-21); the rest of the fall spread geometrically over the
      // other 35 h; then 12 h of drift-free noise (the CI variant: the same shape over 6 h, 2 h after).
      const fall = quick ? 6 * HOUR : 36 * HOUR;
      const crashAt = quick ? 3 * HOUR : 20 * HOUR;
      const crashLen = quick ? 10 * 60 : HOUR;
      const duration = fall + (quick ? 2 * HOUR : 12 * HOUR);
      const rest = 0.5 / 0.7; // the rest of the fall outside the crash hour
      const restPerSec = Math.log(rest) / (fall - crashLen);
      const shape = (t: number) => {
        const before = Math.min(t, crashAt);
        const after = Math.max(0, Math.min(t, fall) - crashAt - crashLen);
        const crash = t <= crashAt ? 1 : t >= crashAt + crashLen ? 0.7 : Math.pow(0.7, (t - crashAt) / crashLen);
        return Math.exp(restPerSec * (before + after)) * crash;
      };
      return {
        name,
        description: "March 2020: -50 % over 36 h with a -30 % hour (hour 20 to 21), then 12 h of noise",
        durationSec: duration,
        stepSec: quick ? 5 * 60 : 10 * 60,
        path: build(seed, name, duration, quick ? 5 * 60 : 10 * 60, 0.004, shape),
        primaryOutages: [],
      };
    }
    case "flash-crash": {
      const stepSec = 5 * 60;
      const crashAt = 2 * HOUR;
      const shape = (t: number) =>
        t < crashAt ? 1 : t <= crashAt + 2 * HOUR ? geo(t, crashAt, crashAt + 2 * HOUR, 0.65, 1) : 1;
      const duration = 6 * HOUR;
      return {
        name,
        description: "Flash crash: -35 % in one update at hour 2, back to the start price over the next 2 h",
        durationSec: duration,
        stepSec,
        path: build(seed, name, duration, stepSec, 0.003, shape),
        primaryOutages: [],
      };
    }
    case "slow-bleed": {
      const stepSec = 15 * 60;
      const duration = 30 * DAY;
      return {
        name,
        description: "Slow bleed: -60 % over 30 days, geometric, with noise",
        durationSec: duration,
        stepSec,
        path: build(seed, name, duration, stepSec, 0.004, (t) => geo(t, 0, duration, 1, 0.4)),
        primaryOutages: [],
      };
    }
    case "feed-outage": {
      const stepSec = 10 * 60;
      const from = 2 * HOUR;
      const to = from + 6 * HOUR;
      const duration = 12 * HOUR;
      return {
        name,
        description: "Feed outage: the primary feed publishes nothing for 6 h (hours 2 to 8) while ETH falls 20 %",
        durationSec: duration,
        stepSec,
        path: build(seed, name, duration, stepSec, 0.004, (t) => geo(t, from, to, 1, 0.8)),
        primaryOutages: [{ fromSec: from, toSec: to }],
      };
    }
    case "stablecoin-depeg": {
      const stepSec = 10 * 60;
      const from = 2 * HOUR;
      const to = from + DAY;
      const duration = 30 * HOUR;
      const path = build(seed, name, duration, stepSec, 0.004, (t) => geo(t, 0, duration, 1, 0.85));
      return {
        name,
        description:
          "USD stablecoin depeg: the PSM's stablecoin at $0.95 for a day (hours 2 to 26) while ETH drifts -15 %",
        durationSec: duration,
        stepSec,
        path,
        primaryOutages: [],
        stablecoinUsd: path.map((_, i) => (i * stepSec >= from && i * stepSec < to ? 0.95 : 1)),
      };
    }
    default:
      throw new Error(`unknown scenario "${name as string}" (one of ${SCENARIO_NAMES.join(", ")})`);
  }
}
