using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using NodeDb.Orleans.Client.Connection;

namespace NodeDb.Orleans.Client;

/// <summary>The options every command takes (recursive on the root command).</summary>
public static partial class GlobalOptions
{
    public const string TenantVariable = "NODEDB_TENANT";
    public const string GatewayVariable = "NODEDB_GATEWAY";

    public static readonly Option<string> Gateway = new("--gateway")
    {
        Description = $"The silo gateway HOST:PORT [env {GatewayVariable}; the embedded silo's by default]",
        HelpName = "HOST:PORT",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(GatewayVariable) is { Length: > 0 } g ? g : GatewayAddress.Default,
        Validators = { r => Check(r, v => GatewayAddress.TryParse(v, out var why) is null ? why : null) },
    };

    public static readonly Option<string?> Tenant = new("--tenant", "-t")
    {
        Description = $"The tenant to act for: a tenant key's own tenant by default; a cluster-scope key may pick any (default: 'default') [env {TenantVariable}]",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(TenantVariable) is { Length: > 0 } t ? t : null,
        Validators =
        {
            r =>
            {
                // Not given: the key decides.
                if (r.GetValueOrDefault<string?>() is not null)
                {
                    Check(r, v => TenantPattern().IsMatch(v) ? null : "a tenant is 1 to 63 letters, digits, '_' or '-', starting with a letter or digit");
                }
            },
        },
    };

    public static readonly Option<string?> Key = new("--key")
    {
        Description = $"The API key to present (prefer {KeyResolver.KeyVariable} or a key file: a command line is visible to other users) [env {KeyResolver.KeyVariable}]",
        HelpName = "KEY",
        Recursive = true,
    };

    public static readonly Option<string?> KeyFile = new("--key-file")
    {
        Description = $"A file holding the API key, readable by you only (chmod 600) [env {KeyResolver.KeyFileVariable}; else ~/.nodedb/credentials, else the local embedded silo's .data/cluster-admin.key]",
        HelpName = "PATH",
        Recursive = true,
    };

    public const string TlsVariable = "NODEDB_TLS";
    public const string TlsThumbprintVariable = "NODEDB_TLS_THUMBPRINT";

    public static readonly Option<bool> Tls = new("--tls")
    {
        Description = $"Connect to the gateway over TLS (on by default in the azure profile) [env {TlsVariable}=1]",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(TlsVariable) is "1" or "true",
    };

    public static readonly Option<string?> TlsThumbprint = new("--tls-thumbprint")
    {
        Description = $"Trust only a gateway certificate with this SHA-1 thumbprint (a self-signed one); else its chain must validate for --tls-host [env {TlsThumbprintVariable}]",
        HelpName = "HEX",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(TlsThumbprintVariable) is { Length: > 0 } t ? t : null,
    };

    public static readonly Option<string?> TlsHost = new("--tls-host")
    {
        Description = "The name the gateway's certificate must carry [default: the gateway's host]",
        HelpName = "NAME",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print JSON (stable shapes, see docs/client.md) instead of tables",
        Recursive = true,
    };

    public static readonly Option<string> ClusterId = new("--cluster-id")
    {
        Description = "The cluster id the silos run with",
        Recursive = true,
        DefaultValueFactory = _ => "nodedb",
    };

    public static readonly Option<double> ConnectTimeout = new("--connect-timeout")
    {
        Description = "Seconds to keep trying when no silo answers at the gateway",
        HelpName = "SECONDS",
        Recursive = true,
        DefaultValueFactory = _ => 5,
        Validators = { r => CheckSeconds(r) },
    };

    public static readonly Option<double> RetryFor = new("--retry-for")
    {
        Description = "Seconds to keep retrying a call refused by the gateway, e.g. just after a silo died",
        HelpName = "SECONDS",
        Recursive = true,
        DefaultValueFactory = _ => 20,
        Validators = { r => CheckSeconds(r) },
    };

    public static IEnumerable<Option> All => [Gateway, Tenant, Key, KeyFile, Tls, TlsThumbprint, TlsHost, Json, ClusterId, ConnectTimeout, RetryFor];

    public static ClientSettings Settings(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new ClientSettings
        {
            Gateway = GatewayAddress.TryParse(parse.GetValue(Gateway)!, out _)!,
            Tenant = parse.GetValue(Tenant),
            KeyOption = parse.GetValue(Key),
            KeyFileOption = parse.GetValue(KeyFile),
            Tls = parse.GetValue(Tls) || parse.GetValue(TlsThumbprint) is not null,
            TlsThumbprint = parse.GetValue(TlsThumbprint),
            TlsHost = parse.GetValue(TlsHost),
            ClusterId = parse.GetValue(ClusterId)!,
            ConnectTimeout = TimeSpan.FromSeconds(parse.GetValue(ConnectTimeout)),
            RetryFor = TimeSpan.FromSeconds(parse.GetValue(RetryFor)),
        };
    }

    private static void Check(System.CommandLine.Parsing.OptionResult result, Func<string, string?> problem)
    {
        var value = result.GetValueOrDefault<string>() ?? "";
        if (problem(value) is { } why)
        {
            result.AddError($"{result.IdentifierToken?.Value ?? result.Option.Name} '{value}' is invalid: {why}.");
        }
    }

    private static void CheckSeconds(System.CommandLine.Parsing.OptionResult result)
    {
        var value = result.GetValueOrDefault<double>();
        if (value is < 0 or > 3600 || double.IsNaN(value))
        {
            result.AddError($"{result.Option.Name} {value.ToString(CultureInfo.InvariantCulture)} is invalid: give 0 to 3600 seconds.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex TenantPattern();
}
