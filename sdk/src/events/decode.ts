/**
 * Log decoding by a topic lookup built once: each catalogued event's topic maps to a decoder compiled from its
 * fragment, so a log costs one map lookup and a walk over its 32-byte words (no `Interface.parseLog`, which tries
 * every fragment and hashes each signature again, and no ethers `Result` proxies); strings, bytes and arrays of
 * value types are read at their offsets. Data holding a tuple would be decoded by ethers' `AbiCoder` (none does).
 */
import { AbiCoder, getAddress, Result, toUtf8String, type EventFragment, type ParamType } from "ethers";

import { COMPLIANCE_CONTRACTS, eventFragments, type ComplianceContract } from "./catalogue.js";
import type { ComplianceEvent, ComplianceEventName, ComplianceTargets } from "./types.js";

/** A log as `eth_getLogs` returns it, numbers already parsed. */
export interface RawLog {
  address: string;
  topics: readonly string[];
  data: string;
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
}

type WordDecoder = (hex: string, at: number) => unknown;

/** One top-level data parameter: its head word(s) and, for a dynamic one, the value at the offset its head holds. */
interface Slot {
  name: string;
  /** Words the head spans (a fixed-size array spans one per element; a dynamic value one offset word). */
  words: number;
  /** Reads the value from the data (`hex`, no 0x) given the head's position. */
  decode: (hex: string, at: number) => unknown;
}

interface CompiledEvent {
  name: ComplianceEventName;
  contract: ComplianceContract;
  indexed: { name: string; decode: WordDecoder | null }[];
  /** The data's slots and its head size in words; null when it holds a type decoded by ethers' AbiCoder (tuples). */
  slots: { list: Slot[]; headWords: number } | null;
  dataInputs: ParamType[];
}

const checksummed = new Map<string, string>();
const CHECKSUM_CACHE_LIMIT = 100_000;

/** The checksummed form of a lower-case address, computed once per address seen. */
function checksum(lower: string): string {
  let known = checksummed.get(lower);
  if (known === undefined) {
    if (checksummed.size >= CHECKSUM_CACHE_LIMIT) checksummed.clear();
    known = getAddress(lower);
    checksummed.set(lower, known);
  }
  return known;
}

/** A decoder for one 32-byte word of a static value type, read from `hex` (no 0x) at character `at`; null if not one. */
function wordDecoder(type: ParamType): WordDecoder | null {
  const base = type.baseType;
  if (base === "address") return (hex, at) => checksum("0x" + hex.slice(at + 24, at + 64).toLowerCase());
  if (base === "bool") return (hex, at) => BigInt("0x" + hex.slice(at, at + 64)) !== 0n;
  const uint = /^uint(\d*)$/.exec(base);
  if (uint !== null) return (hex, at) => BigInt("0x" + hex.slice(at, at + 64));
  const int = /^int(\d*)$/.exec(base);
  if (int !== null) {
    const bits = Number(int[1] === "" ? "256" : int[1]);
    return (hex, at) => BigInt.asIntN(bits, BigInt("0x" + hex.slice(at, at + 64)));
  }
  const bytes = /^bytes(\d+)$/.exec(base);
  if (bytes !== null) {
    const chars = Number(bytes[1]) * 2;
    return (hex, at) => "0x" + hex.slice(at, at + chars).toLowerCase();
  }
  return null;
}

/** A word read as a length or offset, refused when it cannot be one (a malformed log). */
function wordIndex(hex: string, at: number): number {
  const value = Number.parseInt(hex.slice(at, at + 64), 16);
  if (!Number.isSafeInteger(value) || at + 64 > hex.length) throw new Error(`bad offset or length at byte ${at / 2}`);
  return value;
}

/** The slot of a data parameter; null for what only AbiCoder decodes (tuples, nested dynamic arrays). */
function slotOf(type: ParamType): Slot | null {
  const name = type.name;
  if (type.baseType === "array") {
    const child = type.arrayChildren;
    const element = child === null ? null : wordDecoder(child);
    if (element === null || type.arrayLength === null) return null;
    const length = type.arrayLength;
    if (length >= 0) {
      return { name, words: length, decode: (hex, at) => Array.from({ length }, (_, i) => element(hex, at + i * 64)) };
    }
    return {
      name,
      words: 1,
      decode: (hex, at) => {
        const start = wordIndex(hex, at) * 2;
        const n = wordIndex(hex, start);
        if (start + 64 + n * 64 > hex.length) throw new Error(`array ${name} runs past the data`);
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = element(hex, start + 64 + i * 64);
        return out;
      },
    };
  }
  if (type.baseType === "string" || type.baseType === "bytes") {
    const asString = type.baseType === "string";
    return {
      name,
      words: 1,
      decode: (hex, at) => {
        const start = wordIndex(hex, at) * 2;
        const n = wordIndex(hex, start);
        if (start + 64 + n * 2 > hex.length) throw new Error(`${type.baseType} ${name} runs past the data`);
        const bytes = "0x" + hex.slice(start + 64, start + 64 + n * 2).toLowerCase();
        return asString ? toUtf8String(bytes) : bytes;
      },
    };
  }
  const decode = wordDecoder(type);
  return decode === null ? null : { name, words: 1, decode };
}

function compile(contract: ComplianceContract, fragment: EventFragment): CompiledEvent {
  const dataInputs = fragment.inputs.filter((input) => input.indexed !== true);
  const slots = dataInputs.map(slotOf);
  const handled = slots.every((slot) => slot !== null);
  return {
    name: fragment.name as ComplianceEventName,
    contract,
    // An indexed dynamic value's topic is its hash: kept as the 0x topic.
    indexed: fragment.inputs
      .filter((input) => input.indexed === true)
      .map((input) => ({ name: input.name, decode: wordDecoder(input) })),
    slots: handled
      ? { list: slots as Slot[], headWords: (slots as Slot[]).reduce((sum, s) => sum + s.words, 0) }
      : null,
    dataInputs,
  };
}

let lookup: Map<ComplianceContract, Map<string, CompiledEvent>> | undefined;

/** contract -> topic0 -> compiled event, built on first use and kept. */
export function topicLookup(): Map<ComplianceContract, Map<string, CompiledEvent>> {
  if (lookup === undefined) {
    lookup = new Map(
      COMPLIANCE_CONTRACTS.map((contract) => [
        contract,
        new Map(eventFragments(contract).map((fragment) => [fragment.topicHash, compile(contract, fragment)])),
      ]),
    );
  }
  return lookup;
}

/** ethers' decoded values as plain values: nested `Result`s become arrays. */
function plain(value: unknown): unknown {
  return value instanceof Result ? value.toArray(true) : value;
}

function decodeArgs(event: CompiledEvent, log: RawLog): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (log.topics.length !== event.indexed.length + 1) {
    throw new Error(
      `${event.name} log ${logPlace(log)}: ${log.topics.length - 1} indexed topics, expected ${event.indexed.length}`,
    );
  }
  event.indexed.forEach((input, i) => {
    const topic = log.topics[i + 1]!;
    args[input.name] = input.decode === null ? topic : input.decode(topic.slice(2), 0);
  });
  if (event.slots !== null) {
    const hex = log.data.slice(2);
    if (hex.length < event.slots.headWords * 64) {
      throw new Error(
        `${event.name} log ${logPlace(log)}: data is ${hex.length / 2} bytes, expected at least ${event.slots.headWords * 32}`,
      );
    }
    let at = 0;
    try {
      for (const slot of event.slots.list) {
        args[slot.name] = slot.decode(hex, at);
        at += slot.words * 64;
      }
    } catch (error) {
      throw new Error(`${event.name} log ${logPlace(log)}: ${(error as Error).message}`, { cause: error });
    }
  } else {
    const values = AbiCoder.defaultAbiCoder().decode(event.dataInputs, log.data);
    event.dataInputs.forEach((input, i) => (args[input.name] = plain(values[i])));
  }
  return args;
}

function logPlace(log: RawLog): string {
  return `at block ${log.blockNumber} index ${log.logIndex} (tx ${log.transactionHash})`;
}

/** A decoder for the logs of `targets`: address -> that contract's topic lookup. */
export function complianceDecoder(targets: ComplianceTargets) {
  const all = topicLookup();
  const byAddress = new Map<
    string,
    { contract: ComplianceContract; address: string; events: Map<string, CompiledEvent> }
  >();
  for (const contract of COMPLIANCE_CONTRACTS) {
    const address = targets[contract];
    if (address === undefined) continue;
    const lower = address.toLowerCase();
    if (byAddress.has(lower)) throw new Error(`${contract} has the same address as another target: ${address}`);
    byAddress.set(lower, { contract, address: checksum(lower), events: all.get(contract)! });
  }
  return {
    /** The addresses to ask `eth_getLogs` for. */
    addresses: [...byAddress.values()].map((target) => target.address),
    /**
     * The compliance event of one log (its timestamp to be filled in), or null for a log outside the record
     * (another event of the contract, or a contract not targeted).
     */
    decode(log: RawLog, timestamp = 0): ComplianceEvent | null {
      const target = byAddress.get(log.address.toLowerCase());
      const topic0 = log.topics[0];
      if (target === undefined || topic0 === undefined) return null;
      const event = target.events.get(topic0.toLowerCase());
      if (event === undefined) return null;
      return {
        name: event.name,
        contract: target.contract,
        address: target.address,
        blockNumber: log.blockNumber,
        logIndex: log.logIndex,
        transactionHash: log.transactionHash,
        timestamp,
        args: decodeArgs(event, log),
      } as unknown as ComplianceEvent;
    },
  };
}

export type ComplianceDecoder = ReturnType<typeof complianceDecoder>;
