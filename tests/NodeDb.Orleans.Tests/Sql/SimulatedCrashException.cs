using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>Stands for the silo dying at a seam: the run ends without an outcome and without a history row.</summary>
internal sealed class SimulatedCrashException(RunSeam seam, int attempt)
    : Exception($"simulated silo crash at {seam} in attempt {attempt}");
