import { expect } from "chai";

/** Awaits `promise` and asserts it rejects with an Error whose message matches `pattern`. */
export async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected a rejection matching ${pattern}`);
}
