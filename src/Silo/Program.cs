using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Security;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Silo;
using NodeDb.Orleans.Silo.Profiles;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddCommandLine(SiloSettings.ExpandFlags(args), SiloSettings.Switches);
var settings = builder.Configuration.GetSection(SiloSettings.SectionName).Get<SiloSettings>() ?? new SiloSettings();
var tls = builder.Configuration.GetSection(TlsSettings.SectionName).Get<TlsSettings>() ?? new TlsSettings();

builder.UseOrleans(silo =>
{
    switch (settings.Profile.ToLowerInvariant())
    {
        case "embedded":
            EmbeddedProfile.Configure(silo, settings);
            SiloTls.Configure(silo, tls, onByDefault: false);
            break;
        case "azure":
            AzureProfile.Configure(silo, settings);
            SiloTls.Configure(silo, tls, onByDefault: true);
            break;
        default:
            throw new ArgumentException($"Profile '{settings.Profile}' is unknown: use 'embedded' or 'azure'.");
    }

    silo.AddNodeDbScheduler();
    silo.Services.AddOptions<SchedulerOptions>().Bind(builder.Configuration.GetSection(SchedulerOptions.SectionName));
    silo.Services.AddOptions<SecurityOptions>().Bind(builder.Configuration.GetSection(SecurityOptions.SectionName));

    // Tenant databases: SQLite files under the data directory unless the Sql section points at PostgreSQL.
    silo.Services.AddNodeDbSql(o => o.DataDirectory = Path.GetFullPath(settings.DataDirectory));
    silo.Services.AddOptions<TenantDatabaseOptions>().Bind(builder.Configuration.GetSection("Sql"));
});

if (settings.Demo)
{
    builder.Services.AddHostedService<DemoSeeder>();
}

using var host = builder.Build();
await host.RunAsync();
