using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>One attempt of a run, as an engine executes it.</summary>
internal sealed record RunAttempt(JobRequest Request, SqlBody Body, int Number, DateTimeOffset Now);
