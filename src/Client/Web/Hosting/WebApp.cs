using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodeDb.Orleans.Client.Web.Api;
using NodeDb.Orleans.Client.Web.Ui;

namespace NodeDb.Orleans.Client.Web.Hosting;

/// <summary>Builds the web process: the API, the dashboard, OpenAPI, static assets and the security headers.</summary>
public static class WebApp
{
    /// <summary>The command-line switches, as the console client spells them.</summary>
    private static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--gateway"] = $"{WebOptions.Section}:Gateway",
        ["--cluster-id"] = $"{WebOptions.Section}:ClusterId",
        ["--service-id"] = $"{WebOptions.Section}:ServiceId",
        ["--tls-thumbprint"] = $"{WebOptions.Section}:TlsThumbprint",
        ["--tls-host"] = $"{WebOptions.Section}:TlsHost",
        ["--path-base"] = $"{WebOptions.Section}:PathBase",
    };

    /// <param name="args">Command-line arguments (<c>--urls</c>, <c>--gateway</c>, <c>--path-base</c>…).</param>
    /// <param name="configure">Lets a test replace services or settings before the app is built.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        builder.Configuration.AddCommandLine(args, Switches);
        if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
        {
            builder.WebHost.UseUrls(WebOptions.DefaultUrl);
        }

        // Requests are not news; warnings and errors are.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var options = builder.Configuration.GetSection(WebOptions.Section).Get<WebOptions>() ?? new WebOptions();
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ClusterAccess>();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "NodeDb.Orleans HTTP API";
            doc.Info.Description = "Schedules, runs, pause/resume/trigger/backfill, cron preview, cluster, audit and keys. Authenticate with Authorization: Bearer <key>.";
            return Task.CompletedTask;
        }));
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "nodedb.af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = Dashboard.AntiforgeryField;
        });
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "nodedb.session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = options.SessionLifetime;
            o.SlidingExpiration = false;
            o.LoginPath = "/signin";
        });
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            // Trusted from loopback proxies only (the default KnownProxies), so a client cannot fake a prefix or scheme.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedPrefix;
            foreach (var proxy in options.KnownProxies)
            {
                if (System.Net.IPAddress.TryParse(proxy, out var address))
                {
                    o.KnownProxies.Add(address);
                }
            }
        });
        configure?.Invoke(builder);

        if (options.Problem() is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var app = builder.Build();
        app.UseForwardedHeaders();
        if (options.PathBase is { Length: > 0 } pathBase)
        {
            app.UsePathBase(pathBase);
        }

        app.Use(SecurityHeaders.Apply);

        // Errors the framework answers without a body (a request body that is not JSON) still get problem details.
        app.UseStatusCodePages();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "public, max-age=300",
        });
        app.UseAuthentication();
        app.MapOpenApi("/openapi/{documentName}.json");
        ApiEndpoints.Map(app);
        Dashboard.Map(app);
        app.MapGet("/healthz", () => Results.Text("ok")).ExcludeFromDescription();
        return app;
    }
}
