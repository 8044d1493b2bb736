using System.Runtime.CompilerServices;
using FunctionsGateway.Routing;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// The <see cref="RetryBudget"/> of each route on this instance. Held with the route's definition, so a route that leaves
/// the tables takes its budget with it (a reload of the tables starts fresh budgets).
/// </summary>
internal sealed class RetryBudgets
{
    private readonly ConditionalWeakTable<RouteDefinition, RetryBudget> _budgets = [];
    private readonly ConditionalWeakTable<RouteDefinition, RetryBudget>.CreateValueCallback _create;

    public RetryBudgets(IOptions<GatewayOptions> options, TimeProvider time)
    {
        var forwarding = options.Value.Forwarding;
        _create = _ => new RetryBudget(forwarding.RetryBudgetPercent, forwarding.RetryBudgetMinPerSecond, time);
    }

    public RetryBudget For(RouteDefinition route) => _budgets.GetValue(route, _create);
}
