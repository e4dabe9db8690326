using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Silo;
using NodeDb.Orleans.Silo.Profiles;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddCommandLine(args, SiloSettings.Switches);
var settings = builder.Configuration.GetSection(SiloSettings.SectionName).Get<SiloSettings>() ?? new SiloSettings();

builder.UseOrleans(silo =>
{
    switch (settings.Profile.ToLowerInvariant())
    {
        case "embedded":
            EmbeddedProfile.Configure(silo, settings);
            break;
        case "azure":
            AzureProfile.Configure(silo, settings);
            break;
        default:
            throw new ArgumentException($"Profile '{settings.Profile}' is unknown: use 'embedded' or 'azure'.");
    }

    silo.AddNodeDbScheduler();
    silo.Services.AddOptions<SchedulerOptions>().Bind(builder.Configuration.GetSection(SchedulerOptions.SectionName));
});

if (settings.Demo)
{
    builder.Services.AddHostedService<DemoSeeder>();
}

using var host = builder.Build();
await host.RunAsync();
