/**
 * A good applicant's credit file in the shipped model's raw fields (whole NT$): the sample the oracle's tests
 * (test/oracle/chain-fixture.ts) and the oracle benchmark (scripts/bench/oracle.ts) score.
 */
export const GOOD_FEATURES: Record<string, number> = {
  LIMIT_BAL: 360_000,
  PAY_0: -1,
  PAY_2: -1,
  PAY_3: -1,
  PAY_4: -1,
  PAY_5: -1,
  PAY_6: -1,
  BILL_AMT1: 3_200,
  BILL_AMT2: 2_900,
  BILL_AMT3: 3_100,
  BILL_AMT4: 2_800,
  BILL_AMT5: 3_000,
  BILL_AMT6: 2_700,
  PAY_AMT1: 2_900,
  PAY_AMT2: 3_100,
  PAY_AMT3: 2_800,
  PAY_AMT4: 3_000,
  PAY_AMT5: 2_700,
  PAY_AMT6: 3_300,
};
