using System.Text.RegularExpressions;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>The tenant names the runner accepts: they become file names and connection-string parts, so no separators.</summary>
internal static partial class TenantName
{
    public const string Rule = "a tenant name is 1 to 63 letters, digits, '_' or '-', starting with a letter or digit.";

    public static bool IsValid(string? tenant) => tenant is not null && Pattern().IsMatch(tenant);

    public static void Check(string tenant)
    {
        if (!IsValid(tenant))
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Tenant '{tenant}' is not usable as a database name: {Rule}");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
