using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Security;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Silo;
using NodeDb.Orleans.Silo.Admin;
using NodeDb.Orleans.Silo.Profiles;
using NodeDb.Orleans.Silo.Telemetry;

// A web host only for the admin listener (health, metrics) on its own loopback port; Orleans runs on the same host.
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(SiloSettings.ExpandFlags(args), SiloSettings.Switches);
var settings = builder.Configuration.GetSection(SiloSettings.SectionName).Get<SiloSettings>() ?? new SiloSettings();
var tls = builder.Configuration.GetSection(TlsSettings.SectionName).Get<TlsSettings>() ?? new TlsSettings();
var admin = builder.Configuration.GetSection(AdminSettings.SectionName).Get<AdminSettings>() ?? new AdminSettings();
admin.Validate();
builder.WebHost.UseUrls(admin.Url);
builder.Services.AddOptions<AdminSettings>().Bind(builder.Configuration.GetSection(AdminSettings.SectionName));

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
    silo.Services.AddOptions<global::Orleans.Configuration.DeploymentLoadPublisherOptions>().Bind(builder.Configuration.GetSection("DeploymentLoadPublisher"));

    // Tenant databases: SQLite files under the data directory unless the Sql section points at PostgreSQL.
    silo.Services.AddNodeDbSql(o => o.DataDirectory = Path.GetFullPath(settings.DataDirectory));
    silo.Services.AddOptions<TenantDatabaseOptions>().Bind(builder.Configuration.GetSection("Sql"));

    // Grain calls carry the caller's trace, so a run's span links to the tick that claimed it.
    silo.AddActivityPropagation();
});
// A graceful stop hands schedules over, then drains running bodies, then leaves membership: the host must wait for
// all of it (.NET's default of 30 s could cut the drain short), so its budget follows the scheduler's settings.
builder.Services.AddOptions<HostOptions>().Configure<Microsoft.Extensions.Options.IOptions<SchedulerOptions>>((host, scheduler) =>
    host.ShutdownTimeout = scheduler.Value.ShutdownHandOff + scheduler.Value.ShutdownDrain + TimeSpan.FromSeconds(30));
builder.Services.AddNodeDbHealthChecks();
builder.AddNodeDbTelemetry($"{Environment.MachineName}:{settings.SiloPort}");

if (settings.Demo)
{
    builder.Services.AddHostedService<DemoSeeder>();
}

await using var app = builder.Build();
app.MapNodeDbAdmin();
await app.RunAsync();
