using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Packaging;

/// <summary>
/// The public surface of each package, against a list checked in beside this test (PublicApi/&lt;package&gt;.txt):
/// a type or member made public, changed or removed fails here until the list is changed with it, on purpose.
/// </summary>
[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class PublicApiTests
{
    public static TheoryData<string> Packages => new()
    {
        typeof(OrleansWorkflow.Incidents.IIncidentGrain).Assembly.GetName().Name!,
        typeof(OrleansWorkflow.Handlers.HandlerGrain).Assembly.GetName().Name!,
        typeof(OrleansWorkflow.Messaging.QueuePublisher).Assembly.GetName().Name!,
        typeof(OrleansWorkflow.Hosting.HandlerRegistry).Assembly.GetName().Name!,
        typeof(OrleansWorkflow.Web.WorkflowWebExtensions).Assembly.GetName().Name!,
        typeof(OrleansWorkflow.Client.WorkflowClientOptions).Assembly.GetName().Name!,
        typeof(OrleansWorkflow.Testing.WorkflowTestEnvironment).Assembly.GetName().Name!,
    };

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_public_surface_of_each_package_is_the_checked_in_list(string package)
    {
        var actual = Surface(Assembly.Load(package));
        var listed = Path.Combine(LoopbackHpc.RepositoryRoot, "tests", "OrleansWorkflow.Tests", "Packaging", "PublicApi", $"{package}.txt");
        var expected = File.Exists(listed) ? File.ReadAllText(listed) : "";
        if (actual != expected)
            File.WriteAllText(listed + ".received", actual);
        Assert.True(actual == expected,
            $"The public surface of {package} is not the checked-in list {listed}: compare it with {listed}.received and, when the change is meant, replace the list with it.");
    }

    /// <summary>Every public type of <paramref name="assembly"/> and the members a user can reach (public and protected), one per line, in a stable order.</summary>
    internal static string Surface(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().Where(t => t.Namespace?.StartsWith("OrleansCodeGen", StringComparison.Ordinal) != true && !t.FullName!.Contains("+<G>$", StringComparison.Ordinal)).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(KindOf(type)).Append(' ').Append(Name(type));
            var bases = new[] { type.BaseType }.Where(b => b is not null && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum))
                .Concat(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic)).Select(b => Name(b!)).Order(StringComparer.Ordinal).ToList();
            if (bases.Count > 0)
                text.Append(" : ").Append(string.Join(", ", bases));
            text.Append('\n');
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                         .Where(Reachable).Select(Member).Where(m => m is not null).Order(StringComparer.Ordinal))
                text.Append("  ").Append(member).Append('\n');
            foreach (var member in ExtensionMembers(type).Order(StringComparer.Ordinal))
                text.Append("  ").Append(member).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A C# 14 extension block's compiler-made type; its members are listed under the static class that declares them.</summary>
    private static bool IsExtensionBlock(Type type) => type.IsNested && type.Name.StartsWith("<G>$", StringComparison.Ordinal);

    /// <summary>The members of <paramref name="type"/>'s extension blocks, each as "extension(Receiver) member".</summary>
    private static IEnumerable<string> ExtensionMembers(Type type) =>
        from block in type.GetNestedTypes().Where(IsExtensionBlock)
        let receiver = block.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic)
            .SelectMany(marker => marker.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Single(marker => marker.Name == "<Extension>$").GetParameters()[0].ParameterType
        from member in block.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Where(m => m is not Type && Reachable(m))
        select $"extension({Name(receiver)}) {Member(member)}";

    private static string KindOf(Type type) =>
        type.IsInterface ? "interface" : type.IsEnum ? "enum" : type.IsValueType ? "struct" : typeof(Delegate).IsAssignableFrom(type) ? "delegate"
        : type is { IsAbstract: true, IsSealed: true } ? "static class" : type.IsAbstract ? "abstract class" : type.IsSealed ? "sealed class" : "class";

    private static bool Reachable(MemberInfo member) => member switch
    {
        MethodBase m => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && !m.IsSpecialName || m is ConstructorInfo { IsPublic: true } or ConstructorInfo { IsFamily: true },
        FieldInfo f => (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) && !f.IsSpecialName,
        PropertyInfo p => p.GetAccessors(nonPublic: true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
        EventInfo e => e.AddMethod is { } add && (add.IsPublic || add.IsFamily),
        Type t => t.IsNestedPublic, // listed as types of their own
        _ => false,
    } && !member.IsDefined(typeof(CompilerGeneratedAttribute));

    private static string? Member(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"{(c.IsStatic ? "static " : "")}ctor({Parameters(c)})",
        MethodInfo m => $"{(m.IsStatic ? "static " : "")}{(m.IsAbstract ? "abstract " : m.IsVirtual && !m.IsFinal ? "virtual " : "")}{Name(m.ReturnType)} {m.Name}{Generic(m)}({Parameters(m)})",
        PropertyInfo p => $"{(p.GetAccessors(nonPublic: true)[0].IsStatic ? "static " : "")}{Name(p.PropertyType)} {p.Name} {{ {string.Join(" ", p.GetAccessors(nonPublic: true).Where(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly).Select(a => a == p.GetMethod ? "get;" : IsInit(p) ? "init;" : "set;").Order(StringComparer.Ordinal))} }}",
        FieldInfo f => f.DeclaringType!.IsEnum ? $"{f.Name} = {f.GetRawConstantValue()}" : $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        _ => null,
    };

    private static bool IsInit(PropertyInfo property) =>
        property.SetMethod?.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit") == true;

    private static string Generic(MethodInfo method) => method.IsGenericMethodDefinition ? $"<{string.Join(", ", method.GetGenericArguments().Select(a => a.Name))}>" : "";

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => $"{(p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : "")}{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string Name(Type type)
    {
        if (type.IsByRef)
            return Name(type.GetElementType()!);
        if (type.IsArray)
            return Name(type.GetElementType()!) + "[]";
        if (type.IsGenericParameter)
            return type.Name;
        var name = type.IsNested ? $"{Name(type.DeclaringType!)}.{type.Name}" : $"{type.Namespace}.{type.Name}";
        if (!type.IsGenericType)
            return name;
        var arguments = type.GetGenericArguments();
        if (type.IsNested)
            arguments = arguments[type.DeclaringType!.GetGenericArguments().Length..];
        var tick = name.IndexOf('`');
        return (tick < 0 ? name : name[..tick]) + (arguments.Length > 0 ? $"<{string.Join(", ", arguments.Select(Name))}>" : "");
    }
}
