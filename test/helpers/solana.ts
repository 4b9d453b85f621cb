// The bench's signed memo transaction, shared with the tests (the bench may not import test/).
export { memoTransaction } from '../../bench/subscriptions/memo-transaction.js';
