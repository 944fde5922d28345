namespace NodeNomad.Load.Scenarios;

/// <summary>How long and how hard: <c>ci</c> is about a minute per scenario, <c>full</c> is the real measurement.</summary>
internal enum LoadProfile
{
    Ci,
    Full,
}
