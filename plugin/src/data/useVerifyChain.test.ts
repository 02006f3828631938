import { planVerification } from './useVerifyChain';

test('a trail that fits in one chunk is verified whole', () => {
  expect(planVerification(0, 10)).toEqual([undefined]);
  expect(planVerification(10, 10)).toEqual([undefined]);
});

test('larger trails are checked in ranges that overlap by one entry and cover every seq', () => {
  const plan = planVerification(25, 10);
  expect(plan).toEqual([
    { fromSeq: 0, toSeq: 9 },
    { fromSeq: 9, toSeq: 18 },
    { fromSeq: 18, toSeq: 24 },
  ]);
  expect(planVerification(11, 10)).toEqual([
    { fromSeq: 0, toSeq: 9 },
    { fromSeq: 9, toSeq: 10 },
  ]);
});
