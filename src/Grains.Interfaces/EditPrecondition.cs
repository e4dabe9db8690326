namespace NodeDb.Orleans;

/// <summary>
/// "Change this schedule only if it is still the version I read": an optimistic-concurrency precondition carried in the
/// Orleans request context, so it reaches the schedule grain through any path (a DDL statement run by the SQL session
/// included) and is checked in the grain's own turn, atomically with the write. A mismatch fails with
/// <see cref="ErrorCodes.EditConflict"/> and changes nothing.
/// </summary>
public static class EditPrecondition
{
    /// <summary>The request-context key; its value is the <see cref="ScheduleStatus.UpdatedAt"/> the caller read, in UTC ticks.</summary>
    public const string Key = "nodedb.if-version";

    /// <summary>Runs <paramref name="edit"/> with the precondition that the schedule is still at <paramref name="updatedAt"/>.</summary>
    public static async Task<T> RunAsync<T>(DateTimeOffset updatedAt, Func<Task<T>> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        RequestContext.Set(Key, updatedAt.UtcTicks);
        try
        {
            return await edit();
        }
        finally
        {
            RequestContext.Remove(Key);
        }
    }
}
