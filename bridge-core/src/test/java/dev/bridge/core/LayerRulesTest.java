package dev.bridge.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Inside core, dependencies point inward too: the domain ({@code dev.bridge.core}) knows nothing
 * else, the ports know only the domain, and the protocol and the engine do not know each other.
 */
class LayerRulesTest {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.bridge.core");

    @Test
    void theDomainDependsOnNoOtherPartOfCore() {
        noClasses().that().resideInAPackage("dev.bridge.core")
                .should().dependOnClassesThat().resideInAnyPackage("dev.bridge.core.port..", "dev.bridge.core.protocol..",
                        "dev.bridge.core.engine..", "dev.bridge.core.sink..")
                .check(CORE);
    }

    @Test
    void thePortsKnowOnlyTheDomain() {
        noClasses().that().resideInAPackage("dev.bridge.core.port")
                .should().dependOnClassesThat().resideInAnyPackage("dev.bridge.core.protocol..", "dev.bridge.core.engine..",
                        "dev.bridge.core.sink..")
                .check(CORE);
    }

    @Test
    void theProtocolAndTheEngineDoNotKnowEachOtherNorTheSinks() {
        noClasses().that().resideInAPackage("dev.bridge.core.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.bridge.core.engine..", "dev.bridge.core.sink..")
                .check(CORE);
        noClasses().that().resideInAPackage("dev.bridge.core.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.bridge.core.protocol..", "dev.bridge.core.sink..")
                .check(CORE);
    }
}
