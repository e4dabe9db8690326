using Microsoft.Extensions.DependencyInjection;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>Wraps a registered singleton in a decorator, keeping whatever built the original.</summary>
internal static class Decorate
{
    public static void Single<T>(IServiceCollection services, Func<T, T> wrap)
        where T : class
    {
        var original = services.Last(d => d.ServiceType == typeof(T) && !d.IsKeyedService);
        services.Remove(original);
        services.AddSingleton<T>(sp => wrap((T)Build(original, sp)));
    }

    public static void Keyed<T>(IServiceCollection services, string key, Func<T, T> wrap)
        where T : class
    {
        var original = services.Last(d => d.ServiceType == typeof(T) && d.IsKeyedService && Equals(d.ServiceKey, key));
        services.Remove(original);
        services.AddKeyedSingleton<T>(key, (sp, k) => wrap((T)BuildKeyed(original, sp, k)));
    }

    private static object Build(ServiceDescriptor d, IServiceProvider sp) =>
        d.ImplementationInstance
        ?? d.ImplementationFactory?.Invoke(sp)
        ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!);

    private static object BuildKeyed(ServiceDescriptor d, IServiceProvider sp, object? key) =>
        d.KeyedImplementationInstance
        ?? d.KeyedImplementationFactory?.Invoke(sp, key)
        ?? ActivatorUtilities.CreateInstance(sp, d.KeyedImplementationType!);
}
