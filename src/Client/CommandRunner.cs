using System.CommandLine;
using NodeDb.Orleans.Client.Connection;
using NodeDb.Orleans.Client.Output;
using NodeDb.Orleans.Security;

namespace NodeDb.Orleans.Client;

/// <summary>Turns a command body into an action: connect, run with bounded retries, map failures to messages and exit codes.</summary>
public static class CommandRunner
{
    /// <summary>How a command may be retried after a connection or gateway error.</summary>
    public enum Retry
    {
        /// <summary>Only when the request surely never reached a grain (the command adds something each time it runs).</summary>
        NotDelivered,

        /// <summary>Also when a silo died holding the request (reads and commands that set a state).</summary>
        Idempotent,
    }

    public static Func<ParseResult, CancellationToken, Task<int>> Action(Retry retry, Func<CommandContext, CancellationToken, Task> body) =>
        async (parse, cancellationToken) =>
        {
            var time = TimeProvider.System;
            var settings = GlobalOptions.Settings(parse);
            var printer = new Printer(parse.GetValue(GlobalOptions.Json));
            try
            {
                await using var connection = await ClusterConnection.ConnectAsync(settings, time, cancellationToken);

                // After connecting: a key file named for a silo that is still starting may appear meanwhile.
                var (key, origin) = KeyResolver.Resolve(settings.KeyOption, settings.KeyFileOption, settings.Gateway);
                var tenant = TenantOf(key, origin, settings.Tenant);

                // Presented on every call this command makes (the request context flows with the awaits).
                RequestContext.Set(ApiKeyPresenter.RequestContextKey, key);
                var context = new CommandContext(parse, settings, connection.Client, printer, tenant);
                Func<Exception, bool> transient = retry == Retry.Idempotent ? TransientErrors.MaybeDelivered : TransientErrors.NotDelivered;
                await new Backoff(time, settings.RetryFor).RunAsync(
                    async () =>
                    {
                        await body(context, cancellationToken);
                        return true;
                    },
                    transient,
                    cancellationToken);
                return ExitCodes.Ok;
            }
            catch (NodeDbException e) when (e.Code is ErrorCodes.Unauthenticated or ErrorCodes.PermissionDenied)
            {
                return Fail(e.Message, ExitCodes.NotAllowed);
            }
            catch (MissingKeyException e)
            {
                return Fail(e.Message, ExitCodes.NotAllowed);
            }
            catch (NodeDbException e)
            {
                return Fail(e.Message, ExitCodes.Refused);
            }
            catch (UsageException e)
            {
                return Fail(e.Message, ExitCodes.Usage);
            }
            catch (UnreachableException e)
            {
                return Fail(e.Message, ExitCodes.Unreachable);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Fail("interrupted.", ExitCodes.Interrupted);
            }
            catch (ArgumentException e)
            {
                // A grain's argument check (ArgumentException crosses the wire as itself): a refusal, not a crash.
                return Fail(e.Message, ExitCodes.Refused);
            }
            catch (TimeoutException e)
            {
                return Fail($"the cluster did not answer in time: {e.Message}", ExitCodes.Unreachable);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not a user error, but still no stack trace unless asked for: NODEDB_TRACE=1 prints it.
                var detail = Environment.GetEnvironmentVariable("NODEDB_TRACE") == "1" ? e.ToString() : $"{e.GetType().Name}: {e.Message}";
                return Fail($"unexpected failure ({detail})", ExitCodes.Refused);
            }
        };

    /// <summary>The tenant a command acts for: a tenant key's own; for a cluster-scope key, <c>--tenant</c> or <c>default</c>.</summary>
    public static string TenantOf(string key, string origin, string? asked)
    {
        ApiKeyText.TryParse(key, out var scope, out var id, out _);
        if (scope == ApiKeyText.ClusterScope)
        {
            return asked ?? "default";
        }

        if (asked is null || asked == scope)
        {
            return scope!;
        }

        throw new UsageException(
            $"--tenant '{asked}' cannot be used with key {id} (from {origin}): it acts for tenant '{scope}' only. Leave --tenant out, or use a key of tenant '{asked}'.");
    }

    public static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}
