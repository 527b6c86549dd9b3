namespace Faultline.Bench.Engine;

/// <summary>
/// One kill -9, in milliseconds on PostgreSQL's clock. <paramref name="TotalMs"/> runs from the kill to the last
/// fault of the run recorded removed by the survivor. It splits at the lease's expiry into what the lease still
/// had to run when the owner died (<paramref name="LeaseLeftMs"/>: between two thirds of the TTL and the whole
/// TTL, since owners renew every third) and what the survivor then took (<paramref name="AfterExpiryMs"/>), itself
/// split at the survivor's run.takeover event into finding and claiming the run (<paramref name="ClaimMs"/>: its
/// poll) and rolling the faults back (<paramref name="RollbackMs"/>).
/// </summary>
internal sealed record TakeoverSample(double TotalMs, double LeaseLeftMs, double AfterExpiryMs, double ClaimMs, double RollbackMs, double StampErrorMs);
