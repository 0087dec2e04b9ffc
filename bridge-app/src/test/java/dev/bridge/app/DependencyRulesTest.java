package dev.bridge.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** Dependencies point inward: core knows no adapter, adapters do not know each other. */
class DependencyRulesTest {

    private static final JavaClasses BRIDGE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.bridge");

    @Test
    void coreDependsOnNoAdapterAndNoInfrastructureLibrary() {
        noClasses().that().resideInAPackage("dev.bridge.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.bridge.postgres..", "dev.bridge.sink..", "dev.bridge.app..", "dev.bridge.benchmarks..",
                        "org.postgresql..", "io.lettuce..", "com.google.inject..", "com.typesafe.config..", "java.sql..")
                .check(BRIDGE);
    }

    @Test
    void adaptersDoNotDependOnEachOther() {
        adapter("dev.bridge.postgres..", "dev.bridge.sink..").check(BRIDGE);
        adapter("dev.bridge.sink.redis..", "dev.bridge.postgres..", "dev.bridge.sink.webhook..").check(BRIDGE);
        adapter("dev.bridge.sink.webhook..", "dev.bridge.postgres..", "dev.bridge.sink.redis..").check(BRIDGE);
    }

    private static ArchRule adapter(String adapter, String... others) {
        return noClasses().that().resideInAPackage(adapter)
                .should().dependOnClassesThat().resideInAnyPackage(others)
                .orShould().dependOnClassesThat().resideInAPackage("dev.bridge.app..")
                .allowEmptyShould(true);
    }
}
